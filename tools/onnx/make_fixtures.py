#!/usr/bin/python3
"""Generates the ONNX import fixtures in engine/src/test/resources/onnx/ (run from the repository root):

    /usr/bin/python3 tools/onnx/make_fixtures.py

Needs Debian's python3-torch (1.13) and python3-onnx (1.12): `apt-get install -y python3-torch python3-onnx`.
Every model has random weights from a fixed seed; for each, the fixed input and the PyTorch output on it are saved
as float32 .npy files next to the model (NAME.input.npy, NAME.output.npy), so the Java tests compare Hush with
PyTorch as well as with ONNX Runtime.

  seed_ae      the seed autoencoder's structure (conv - pool - conv - pool - flatten - linear 7*7*C - reshape Cx7x7 -
               convT s2 - convT s2 - conv 1 sigmoid) at width 8 instead of 32/64, so the fixture is 0.6 MB rather
               than 40 MB (the 3136x3136 linear layer); NCHW as torch.onnx.export writes it, opset 17, batch 16.
               The full-width seed network is tested through the Hush exporter and ONNX Runtime.
  dncnn        DnCNN: 17 conv layers of 64 channels, BatchNorm kept in the graph (TrainingMode.PRESERVE on an
               eval-mode model), out = x - f(x); opset 11; the fixed input is 1x1x256x256
  small_ops    a small net for the other ops: LeakyRelu, strided conv with symmetric pads, Tanh, BatchNorm,
               Clip(min=0), Mul/Add by constants, MaxPool, Flatten, Gemm, Sigmoid, MatMul + Add; opset 13
  view_o11,    x.view(x.size(0), -1) and x.view(x.size(0), C, H, W) around a Linear, before a ConvTranspose with
  view_o13     zero pads: torch writes Shape/Gather/Unsqueeze/Concat for the shape (Unsqueeze axes as an attribute
               in opset 11, as an input in opset 13); batch 3
  keras_style  hand-built with onnx.helper in the shape tf2onnx gives a Keras channels_last model: NHWC input,
               Transpose(0,3,1,2) before and Transpose(0,2,3,1) after every conv/pool, Keras Flatten as
               Reshape(-1, F) of NHWC data, Dense as MatMul + Add, Keras Reshape then Transpose back to NCHW for a
               ConvTranspose; NHWC output; opset 13. Its reference output comes from the same computation written
               with torch.nn.functional.
"""
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = "engine/src/test/resources/onnx"


def save(name, x, y):
    np.save(os.path.join(OUT, name + ".input.npy"), np.ascontiguousarray(x, dtype=np.float32))
    np.save(os.path.join(OUT, name + ".output.npy"), np.ascontiguousarray(y, dtype=np.float32))


def randomize_bn(bn, g):
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.num_features, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(bn.num_features, generator=g) * 0.1)
        bn.running_mean.copy_(torch.randn(bn.num_features, generator=g) * 0.1)
        bn.running_var.copy_(torch.rand(bn.num_features, generator=g) + 0.5)


def export(model, x, name, opset, dynamic, training=torch.onnx.TrainingMode.EVAL):
    model.eval()
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, os.path.join(OUT, name + ".onnx"), opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes=dynamic, training=training, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(os.path.join(OUT, name + ".onnx")))
    save(name, x.numpy(), y.numpy())


class SeedAE(nn.Module):
    def __init__(self, c1=32, c2=64):
        super().__init__()
        self.c2n = c2
        self.c1 = nn.Conv2d(1, c1, 3, padding=1)
        self.c2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.fc = nn.Linear(7 * 7 * c2, 7 * 7 * c2)
        # padding=1, output_padding=1: out = 2*in, the first output row/column cropped (Keras "same" crops none)
        self.t1 = nn.ConvTranspose2d(c2, c2, 3, stride=2, padding=1, output_padding=1)
        self.t2 = nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1)
        self.c3 = nn.Conv2d(c1, 1, 3, padding=1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.fc(torch.flatten(x, 1)))
        x = x.reshape(-1, self.c2n, 7, 7)
        x = F.relu(self.t1(x))
        x = F.relu(self.t2(x))
        return torch.sigmoid(self.c3(x))


class DnCNN(nn.Module):
    def __init__(self, depth=17, ch=64, g=None):
        super().__init__()
        layers = [nn.Conv2d(1, ch, 3, padding=1), nn.ReLU()]
        for _ in range(depth - 2):
            bn = nn.BatchNorm2d(ch)
            randomize_bn(bn, g)
            layers += [nn.Conv2d(ch, ch, 3, padding=1, bias=False), bn, nn.ReLU()]
        layers.append(nn.Conv2d(ch, 1, 3, padding=1))
        self.f = nn.Sequential(*layers)

    def forward(self, x):
        return x - self.f(x)


class SmallOps(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 6, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(6)
        randomize_bn(self.bn, g)
        self.fc1 = nn.Linear(6 * 4 * 4, 20)
        self.w2 = nn.Parameter(torch.randn(20, 10, generator=g) * 0.3)
        self.b2 = nn.Parameter(torch.randn(10, generator=g) * 0.1)

    def forward(self, x):
        x = F.leaky_relu(self.c1(x), 0.1)
        x = torch.tanh(self.c2(x))
        x = torch.clamp(self.bn(x), min=0.0)
        x = x * 0.5 + 0.25
        x = F.max_pool2d(x, 2)
        x = torch.sigmoid(self.fc1(torch.flatten(x, 1)))
        return torch.matmul(x, self.w2) + self.b2


class ViewModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 4 * 4, 3 * 4 * 4)
        self.t = nn.ConvTranspose2d(3, 2, 2, stride=2)

    def forward(self, x):
        y = self.c(x)
        y = torch.relu(self.fc(y.view(y.size(0), -1)))
        return self.t(y.view(y.size(0), 3, 4, 4))


def keras_style(g):
    """A Keras-like model (conv 8 - pool - dense 64 - reshape 4x4x4 - convT 4 s2 same - conv 2 sigmoid) as tf2onnx
    lays it out, with weights converted to ONNX layouts exactly as tf2onnx does (OIHW kernels, [In,Out] dense)."""
    r = lambda *s: (torch.randn(*s, generator=g) * 0.3).float()
    w1, b1 = r(8, 1, 3, 3), r(8)            # Conv OIHW
    wd, bd = r(8 * 4 * 4, 64), r(64)        # MatMul [In,Out]: rows in NHWC-flatten order (Keras Flatten)
    wt, bt = r(4, 4, 3, 3), r(4)            # ConvTranspose [Cin,Cout,KH,KW]
    w3, b3 = r(2, 4, 3, 3), r(2)
    x = torch.rand(2, 8, 8, 1, generator=g)  # NHWC input

    # Reference with torch functional ops (NCHW inside, NHWC at the ends).
    t = x.permute(0, 3, 1, 2)
    t = F.relu(F.conv2d(t, w1, b1, padding=1))
    t = F.max_pool2d(t, 2)                   # [2,8,4,4]
    t = t.permute(0, 2, 3, 1).reshape(2, -1)  # Keras Flatten: H,W,C order
    t = F.relu(t @ wd + bd)
    t = t.reshape(2, 4, 4, 4).permute(0, 3, 1, 2)
    # Keras "same" transposed conv, k=3, s=2: full output 2*4+1 = 9, keep the first 8 (crop 0 before, 1 after)
    t = F.conv_transpose2d(t, wt, bt, stride=2)[:, :, :8, :8]
    t = torch.sigmoid(F.conv2d(F.relu(t), w3, b3, padding=1))
    y = t.permute(0, 2, 3, 1)

    init = [numpy_helper.from_array(a.numpy(), n) for a, n in
            [(w1, "conv1/W"), (b1, "conv1/B"), (wd, "dense/W"), (bd, "dense/B"), (wt, "convT/W"), (bt, "convT/B"),
             (w3, "conv2/W"), (b3, "conv2/B")]]
    init.append(numpy_helper.from_array(np.array([-1, 128], dtype=np.int64), "flatten/shape"))
    init.append(numpy_helper.from_array(np.array([-1, 4, 4, 4], dtype=np.int64), "reshape/shape"))
    nchw, nhwc = [0, 3, 1, 2], [0, 2, 3, 1]
    N = helper.make_node
    nodes = [
        N("Transpose", ["input"], ["t0"], name="conv1__6", perm=nchw),
        N("Conv", ["t0", "conv1/W", "conv1/B"], ["c1"], name="model/conv1/Conv2D", kernel_shape=[3, 3],
          auto_pad="SAME_UPPER", strides=[1, 1], dilations=[1, 1]),
        N("Relu", ["c1"], ["r1"], name="model/conv1/Relu"),
        N("MaxPool", ["r1"], ["p1"], name="model/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
          auto_pad="SAME_UPPER"),
        N("Transpose", ["p1"], ["p1t"], name="model/pool/MaxPool__10", perm=nhwc),
        N("Reshape", ["p1t", "flatten/shape"], ["f"], name="model/flatten/Reshape"),
        N("MatMul", ["f", "dense/W"], ["d0"], name="model/dense/MatMul"),
        N("Add", ["d0", "dense/B"], ["d1"], name="model/dense/BiasAdd"),
        N("Relu", ["d1"], ["d2"], name="model/dense/Relu"),
        N("Reshape", ["d2", "reshape/shape"], ["rs"], name="model/reshape/Reshape"),
        N("Transpose", ["rs"], ["rst"], name="model/convT/conv2d_transpose__20", perm=nchw),
        N("ConvTranspose", ["rst", "convT/W", "convT/B"], ["ct"], name="model/convT/conv2d_transpose",
          kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]),
        N("Relu", ["ct"], ["ctr"], name="model/convT/Relu"),
        N("Conv", ["ctr", "conv2/W", "conv2/B"], ["c2"], name="model/conv2/Conv2D", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        N("Sigmoid", ["c2"], ["s"], name="model/conv2/Sigmoid"),
        N("Transpose", ["s"], ["output"], name="model/conv2/Sigmoid__30", perm=nhwc),
    ]
    graph = helper.make_graph(nodes, "keras_style", [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                                                   ["N", 8, 8, 1])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 8, 8, 2])], init)
    model = helper.make_model(graph, producer_name="tf2onnx-like (hand-built)",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "keras_style.onnx"))
    save("keras_style", x.numpy(), y.numpy())


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)

    export(SeedAE(8, 8), torch.rand(16, 1, 28, 28, generator=g), "seed_ae", 17, {"input": {0: "N"}, "output": {0: "N"}})

    dn = DnCNN(g=g)
    # keep BatchNormalization nodes in the graph: EVAL mode would fold them into the preceding convolutions
    export(dn, torch.rand(1, 1, 256, 256, generator=g), "dncnn", 11,
           {"input": {0: "N", 2: "H", 3: "W"}, "output": {0: "N", 2: "H", 3: "W"}},
           training=torch.onnx.TrainingMode.PRESERVE)

    export(SmallOps(g), torch.rand(4, 3, 16, 16, generator=g), "small_ops", 13,
           {"input": {0: "N"}, "output": {0: "N"}}, training=torch.onnx.TrainingMode.PRESERVE)

    keras_style(g)

    view = ViewModel()
    xv = torch.rand(3, 2, 4, 4, generator=g)
    export(view, xv, "view_o11", 11, {"input": {0: "N"}, "output": {0: "N"}})
    export(view, xv, "view_o13", 13, {"input": {0: "N"}, "output": {0: "N"}})
    for f in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, f)):>10}  {f}")


if __name__ == "__main__":
    main()
