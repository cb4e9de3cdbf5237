# torch.softmax(x, dim) is the same call as F.softmax / Tensor.softmax, which upstream converts;
# torch.softmax itself is not registered, so attention code that calls it bakes a constant.
tensorrt_converter("torch.softmax")(convert_softmax)
