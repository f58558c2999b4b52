"""The numpy engine: the mathematics of K stacked MLPs, no scikit-learn inside.

Modules, each one responsibility:

* :mod:`.activations` -- hidden and output activations with derivatives;
* :mod:`.losses` -- data losses paired with their output activation;
* :mod:`.penalties` -- weight penalties (biases excluded);
* :mod:`.initializers` -- initial weights;
* :mod:`.network` -- parameter layout, forward pass, backpropagation, predict;
* :mod:`.dropout` -- dropout masks;
* :mod:`.objective` -- loss and gradient of one batch;
* :mod:`.optimizers` -- SGD and Adam over the flat parameter buffer;
* :mod:`.scores` -- validation scores (R^2, accuracy);
* :mod:`.state` -- per-model progress, curves and the stopping rule's counters;
* :mod:`.training` -- the stochastic training loop and early stopping;
* :mod:`.lbfgs` -- full-batch L-BFGS for one network.
"""
