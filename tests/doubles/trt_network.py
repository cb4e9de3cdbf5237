"""A recording double of TensorRT's INetworkDefinition that can also execute what it recorded.

Test-only. Layers are recorded as plain objects; output shapes are inferred the way TensorRT
does (and bad arguments rejected: mismatched ranks in an element-wise layer, a concatenation of
tensors whose other dimensions differ, a reshape that changes the volume, a slice that runs past
the input). What the real builder (TensorRT-RTX, tests/test_real_builder.py) was seen to refuse
is refused here too: element-wise and concatenation inputs of different types ("ElementWise
Operation PROD must have same input types. But they are of types Half and Float"), constant
weights whose count is not the shape's volume, and a network whose only output is an input
("Network must have at least one output"). ``execute({name: torch tensor})`` runs the graph with torch on the CPU, so a
converter's layer construction can be checked numerically against the PyTorch module.
"""

import torch


class ElementWiseOperation(object):
    SUM = "SUM"
    PROD = "PROD"
    MAX = "MAX"
    MIN = "MIN"
    SUB = "SUB"
    DIV = "DIV"
    POW = "POW"


class NetworkError(ValueError):
    """What TensorRT would report when the layer is added or the network is built."""


def _dtype_name(dtype):
    """"float32" for "float32", "torch.float32", numpy's float32 or a tensorrt DataType."""
    text = str(getattr(dtype, "name", None) or dtype).lower()
    text = text.split(".")[-1]
    return {"float": "float32", "half": "float16"}.get(text, text)


class FakeTensor(object):
    def __init__(self, producer, index=0, name=None):
        self.producer = producer
        self.index = index
        self.name = name

    @property
    def shape(self):
        return self.producer.output_shape()

    @property
    def dtype(self):
        return self.producer.output_dtype()


class Layer(object):
    kind = "layer"

    def __init__(self, network, inputs):
        self.network = network
        self.inputs = list(inputs)
        self._output = FakeTensor(self, 0, "%s_%d" % (self.kind, len(network.layers)))
        self.name = self._output.name

    def get_output(self, index):
        if index != 0:
            raise IndexError("fake layers have one output")
        return self._output

    def output_dtype(self):
        return self.inputs[0].dtype

    def _same_types(self, what):
        types = [t.dtype for t in self.inputs]
        if len(set(types)) > 1:
            raise NetworkError("%s: inputs must have the same type, got %s" % (what, types))

    @property
    def num_outputs(self):
        return 1


class InputLayer(Layer):
    kind = "input"

    def __init__(self, network, name, dtype, shape):
        super(InputLayer, self).__init__(network, [])
        self.input_name = name
        self.dtype = _dtype_name(dtype)
        self.dims = tuple(int(d) for d in shape)
        self._output.name = name

    def output_shape(self):
        return self.dims

    def output_dtype(self):
        return self.dtype

    def run(self, values, feeds):
        return feeds[self.input_name]


class ConstantLayer(Layer):
    kind = "constant"

    def __init__(self, network, shape, weights):
        super(ConstantLayer, self).__init__(network, [])
        self.dims = tuple(int(d) for d in shape)
        values = torch.as_tensor(weights).clone()
        volume = 1
        for d in self.dims:
            volume *= d
        if values.numel() != volume:
            raise NetworkError("constant: weights have count %d but %d was expected"
                               % (values.numel(), volume))
        self.weights = values.reshape(self.dims)

    def output_shape(self):
        return self.dims

    def output_dtype(self):
        return _dtype_name(self.weights.dtype)

    def run(self, values, feeds):
        return self.weights


class SliceLayer(Layer):
    kind = "slice"

    def __init__(self, network, tensor, start, shape, stride):
        super(SliceLayer, self).__init__(network, [tensor])
        self.start, self.dims, self.stride = (tuple(int(v) for v in start),
                                              tuple(int(v) for v in shape),
                                              tuple(int(v) for v in stride))
        in_dims = tensor.shape
        if not (len(self.start) == len(self.dims) == len(self.stride) == len(in_dims)):
            raise NetworkError("slice: start/shape/stride ranks %s do not match input rank %d"
                               % ((len(self.start), len(self.dims), len(self.stride)),
                                  len(in_dims)))
        for size, st, n, sd in zip(in_dims, self.start, self.dims, self.stride):
            if sd < 1 or st < 0 or n < 1 or st + (n - 1) * sd >= size:
                raise NetworkError("slice: start %s shape %s stride %s out of bounds for %s"
                                   % (self.start, self.dims, self.stride, in_dims))

    def output_shape(self):
        return self.dims

    def run(self, values, feeds):
        x = values[self.inputs[0]]
        index = tuple(slice(st, st + (n - 1) * sd + 1, sd)
                      for st, n, sd in zip(self.start, self.dims, self.stride))
        return x[index]


_EW = {
    "SUM": lambda a, b: a + b,
    "SUB": lambda a, b: a - b,
    "PROD": lambda a, b: a * b,
    "DIV": lambda a, b: a / b,
    "MAX": torch.max,
    "MIN": torch.min,
    "POW": torch.pow,
}


class ElementWiseLayer(Layer):
    kind = "elementwise"

    def __init__(self, network, a, b, op):
        super(ElementWiseLayer, self).__init__(network, [a, b])
        self.op = op
        if op not in _EW:
            raise NetworkError("elementwise: unknown operation %r" % (op,))
        self._same_types("elementwise %s" % op)
        self.output_shape()

    def output_shape(self):
        a, b = self.inputs[0].shape, self.inputs[1].shape
        if len(a) != len(b):
            raise NetworkError("elementwise: inputs must have the same rank, got %s and %s"
                               % (a, b))
        out = []
        for x, y in zip(a, b):
            if x != y and 1 not in (x, y):
                raise NetworkError("elementwise: shapes %s and %s do not broadcast" % (a, b))
            out.append(max(x, y))
        return tuple(out)

    def run(self, values, feeds):
        return _EW[self.op](values[self.inputs[0]], values[self.inputs[1]])


class ConcatenationLayer(Layer):
    kind = "concatenation"

    def __init__(self, network, inputs):
        super(ConcatenationLayer, self).__init__(network, inputs)
        if not inputs:
            raise NetworkError("concatenation: no inputs")
        self._same_types("concatenation")
        self.axis = 0

    def output_shape(self):
        shapes = [t.shape for t in self.inputs]
        rank = len(shapes[0])
        if not 0 <= self.axis < rank:
            raise NetworkError("concatenation: axis %d out of range for rank %d"
                               % (self.axis, rank))
        for s in shapes:
            if len(s) != rank or any(s[i] != shapes[0][i] for i in range(rank) if i != self.axis):
                raise NetworkError("concatenation: shapes %s differ outside axis %d"
                                   % (shapes, self.axis))
        out = list(shapes[0])
        out[self.axis] = sum(s[self.axis] for s in shapes)
        return tuple(out)

    def run(self, values, feeds):
        return torch.cat([values[t] for t in self.inputs], self.axis)


class ShuffleLayer(Layer):
    """first_transpose -> reshape (0 copies a dimension, -1 is inferred) -> second_transpose."""

    kind = "shuffle"

    def __init__(self, network, tensor):
        super(ShuffleLayer, self).__init__(network, [tensor])
        rank = len(tensor.shape)
        self.first_transpose = tuple(range(rank))
        self.reshape_dims = None
        self.second_transpose = None

    def _reshaped(self, dims):
        if self.reshape_dims is None:
            return dims
        target = list(self.reshape_dims)
        for i, d in enumerate(target):
            if d == 0:
                target[i] = dims[i]
        volume = 1
        for d in dims:
            volume *= d
        if target.count(-1) == 1:
            known = 1
            for d in target:
                if d != -1:
                    known *= d
            target[target.index(-1)] = volume // known
        check = 1
        for d in target:
            check *= d
        if check != volume:
            raise NetworkError("shuffle: cannot reshape %s (volume %d) to %s"
                               % (tuple(dims), volume, tuple(self.reshape_dims)))
        return tuple(target)

    def output_shape(self):
        dims = self.inputs[0].shape
        if sorted(self.first_transpose) != list(range(len(dims))):
            raise NetworkError("shuffle: first_transpose %s invalid for rank %d"
                               % (self.first_transpose, len(dims)))
        dims = tuple(dims[i] for i in self.first_transpose)
        dims = self._reshaped(dims)
        second = self.second_transpose
        if second is None:
            return dims
        if sorted(second) != list(range(len(dims))):
            raise NetworkError("shuffle: second_transpose %s invalid for rank %d"
                               % (tuple(second), len(dims)))
        return tuple(dims[i] for i in second)

    def run(self, values, feeds):
        x = values[self.inputs[0]].permute(*self.first_transpose)
        x = x.reshape(self._reshaped(tuple(x.shape)))
        if self.second_transpose is not None:
            x = x.permute(*self.second_transpose)
        return x.contiguous()


class RecordingNetwork(object):
    """The subset of ``tensorrt.INetworkDefinition`` that converters use, recorded."""

    def __init__(self):
        self.layers = []
        self.outputs = []

    def _add(self, layer):
        self.layers.append(layer)
        return layer

    def add_input(self, name, dtype, shape):
        return self._add(InputLayer(self, name, dtype, shape)).get_output(0)

    def add_constant(self, shape, weights):
        return self._add(ConstantLayer(self, shape, weights))

    def add_slice(self, input, start, shape, stride):
        return self._add(SliceLayer(self, input, start, shape, stride))

    def add_elementwise(self, input1, input2, op):
        return self._add(ElementWiseLayer(self, input1, input2, op))

    def add_concatenation(self, inputs):
        return self._add(ConcatenationLayer(self, inputs))

    def add_shuffle(self, input):
        return self._add(ShuffleLayer(self, input))

    def mark_output(self, tensor):
        tensor.shape  # validates the chain that produced it
        if isinstance(tensor.producer, InputLayer):
            raise NetworkError("network must have at least one output: input %r cannot be one"
                               % tensor.name)
        self.outputs.append(tensor)

    @property
    def num_layers(self):
        return len(self.layers)

    def kinds(self):
        """Layer kinds in order, e.g. ['input', 'slice', ..., 'shuffle']."""
        return [layer.kind for layer in self.layers]

    def execute(self, feeds):
        """Run the recorded graph on ``{input name: tensor}``; returns the outputs in order."""
        values = {}
        for layer in self.layers:
            value = layer.run(values, feeds)
            if tuple(value.shape) != layer.output_shape():
                raise NetworkError("%s produced %s, inferred %s"
                                   % (layer.name, tuple(value.shape), layer.output_shape()))
            values[layer.get_output(0)] = value
        return [values[t] for t in self.outputs]
