#!/usr/bin/env python3
"""Writes the Keras import fixtures of keras/src/test/resources/keras/: small models in Keras's exact on-disk layouts,
with golden outputs from the independent numpy forward (keras_forward.py).

TensorFlow/Keras cannot be installed here, so the files are written the way Keras writes them, with h5py, json and
zipfile, using a real Keras 3.3.3 file (shared/keras/colourspark-autoencoder.keras) as the reference of the layout:

  .keras (Keras 3 saving_lib): a zip of config.json ({"module", "class_name", "config", "registered_name",
      "build_config", "compile_config"}; Functional layers carry "inbound_nodes" [{"args": [__keras_tensor__...],
      "kwargs": {}}]), metadata.json ({"keras_version", "date_saved"}) and model.weights.h5, whose groups are
      layers/<snake_case class name>[_k]/vars/<i> in layer order (not the config's layer names), plus empty "vars" and
      "optimizer/vars" groups, written with h5py's default (earliest) file format.
  .h5 (Keras 2 / Keras 3 legacy_h5_format): root attributes keras_version, backend, model_config (JSON), group
      model_weights with attributes layer_names, backend, keras_version and one group per layer with attribute
      weight_names; datasets at <layer group>/<weight name> (Keras 2: "conv2d_1/kernel:0"; Keras 3: "conv2d/kernel").
      Keras 2.2.0 stored strings as fixed-length bytes and its Sequential config as a bare list of layers.

Each fixture NAME gets NAME.keras|.h5, NAME.input.npy and NAME.output.npy (batch 2). Run from the repository root:

    python3 tools/keras/make_fixtures.py                 # the fixtures
    python3 tools/keras/make_fixtures.py --colourspark   # golden of the real file in ../shared/keras
"""
import io
import json
import os
import sys
import zipfile
import zlib

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_forward as kf  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "keras", "src", "test", "resources", "keras")


def entry(name):
    """A stored zip entry with a fixed date (as Keras's json entries have), so the fixtures are byte-reproducible."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def policy(style):
    # Keras 3.4+ writes dtype policies as objects; 3.3 and Keras 2 as a string
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None} \
        if style == "k3p" else "float32"


class Graph:
    """Builds a model the way Keras's functional API would, running each layer in numpy as it is added."""

    def __init__(self, style, name, batch_shape, x, cls="Functional", input_name="input_layer"):
        self.style, self.name, self.cls = style, name, cls
        self.layers, self.weights, self.vals, self.shapes = [], {}, {}, {}
        self.input_name = input_name
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))
        cfg = {"batch_shape": batch_shape} if style.startswith("k3") else {"batch_input_shape": batch_shape}
        cfg.update({"dtype": "float32", "sparse": False, "name": input_name})
        self.layers.append(self.entry("InputLayer", input_name, cfg, []))
        self.vals[input_name] = x
        self.inputs = [input_name]
        self.out = input_name

    def tensor(self, name):
        shape = [None] + list(self.vals[name].shape[1:])
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": [name, 0, 0]}}

    def entry(self, cls, name, cfg, inputs):
        if self.style.startswith("k3"):
            e = {"module": "keras.layers", "class_name": cls, "config": cfg, "registered_name": None}
            if inputs:
                e["build_config"] = {"input_shape": [None] + list(self.vals[inputs[0]].shape[1:])}
            e["name"] = name
            if inputs:
                args = [self.tensor(i) for i in inputs]
                e["inbound_nodes"] = [{"args": [args] if cls in ("Add", "Subtract", "Multiply", "Concatenate") else args,
                                       "kwargs": {}}]
            else:
                e["inbound_nodes"] = []
            return e
        e = {"class_name": cls, "config": cfg, "name": name}
        e["inbound_nodes"] = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
        return e

    def add(self, cls, cfg, inputs=None, weights=(), roles=()):
        inputs = inputs or [self.out]
        name = cfg["name"]
        full = {"name": name, "trainable": True, "dtype": policy(self.style)}
        full.update(cfg)
        xs = [self.vals[i] for i in inputs]
        y = kf.run_layer(cls, full, xs, list(weights))
        self.vals[name] = y
        self.weights[name] = list(zip(roles, weights))
        self.layers.append(self.entry(cls, name, full, inputs))
        self.out = name
        return name

    def add_model(self, inner, inputs=None):
        inputs = inputs or [self.out]
        xs = [self.vals[i] for i in inputs]
        outs = kf.run_model(kf.describe(inner.cls, inner.config(), "", None, False), xs,
                            lambda rec: [w for _, w in inner.weights[rec["name"]]])
        self.vals[inner.name] = outs[0]
        self.weights[inner.name] = inner
        e = self.entry(inner.cls, inner.name, inner.config(), inputs)
        if self.style.startswith("k3"):
            e["module"] = "keras.src.models.functional" if inner.cls == "Functional" else "keras.src.models.sequential"
            e["registered_name"] = inner.cls
        self.layers.append(e)
        self.out = inner.name
        return inner.name

    def w(self, *shape, scale=0.5):
        return self.rng.uniform(-scale, scale, size=shape).astype(np.float32)

    def config(self):
        if self.cls == "Sequential":
            layers = [{k: v for k, v in l.items() if k not in ("inbound_nodes", "name")} for l in self.layers]
            if self.style == "k22":
                return [l for l in layers if l["class_name"] != "InputLayer"]
            return {"name": self.name, "trainable": True, "dtype": policy(self.style), "layers": layers}
        return {"name": self.name, "trainable": True, "layers": self.layers,
                "input_layers": [[i, 0, 0] for i in self.inputs], "output_layers": [[self.out, 0, 0]]}

    def top(self):
        t = {"class_name": self.cls, "config": self.config()}
        if self.style.startswith("k3"):
            t = {"module": "keras.src.models.functional" if self.cls == "Functional" else "keras.src.models.sequential",
                 "class_name": self.cls, "config": self.config(), "registered_name": self.cls,
                 "build_config": {"input_shape": None}, "compile_config": None}
        return t

    # ---- writers ----

    def v3_weights(self, h5, prefix, container="layers", tf_keras=False):
        used = {}
        layers = self.layers[1:] if self.cls == "Sequential" else self.layers
        for l in layers:
            key = kf.snake(l["class_name"], tf_keras)
            k = used.get(key, -1) + 1
            used[key] = k
            path = (prefix + "/" if prefix else "") + container + "/" + (key if k == 0 else f"{key}_{k}")
            g = h5.create_group(path + "/vars") if path + "/vars" not in h5 else h5[path + "/vars"]
            w = self.weights.get(l["config"].get("name", l.get("name")), [])
            if isinstance(w, Graph):
                w.v3_weights(h5, path, container, tf_keras)
                continue
            for i, (_, v) in enumerate(w):
                g.create_dataset(str(i), data=v)

    def save_keras(self, path, version="3.3.3", container="layers"):
        buf = io.BytesIO()
        with h5py.File(buf, "w") as h5:
            self.v3_weights(h5, "", container, version.startswith("2."))
            h5.create_group("optimizer/vars")
            h5.create_group("vars")
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(entry("metadata.json"), json.dumps({"keras_version": version, "date_saved": "2026-11-30@10:00:00"}))
            z.writestr(entry("config.json"), json.dumps(self.top()))
            z.writestr(entry("model.weights.h5"), buf.getvalue())

    def legacy_names(self, layer_name, suffix):
        """weight_names and values of one top-level layer (a nested model lists all its layers' weights)."""
        w = self.weights.get(layer_name, [])
        if isinstance(w, Graph):
            out = []
            for l in w.layers:
                n = l["config"].get("name", l.get("name"))
                out += [(f"{n}/{role}{suffix}", v) for role, v in w.weights.get(n, []) if not isinstance(w.weights.get(n), Graph)]
            return out
        return [(f"{layer_name}/{role}{suffix}", v) for role, v in w]

    def save_h5(self, path, version, fixed_bytes, suffix):
        def s(v):
            return np.bytes_(v.encode("utf8")) if fixed_bytes else v
        with h5py.File(path, "w") as h5:
            h5.attrs["keras_version"] = s(version)
            h5.attrs["backend"] = s("tensorflow")
            h5.attrs["model_config"] = s(json.dumps(self.top()))
            mw = h5.create_group("model_weights")
            names = [l["config"].get("name", l.get("name")) for l in self.layers]
            if self.cls == "Sequential" and self.style == "k22":
                names = names[1:]
            mw.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
            mw.attrs["backend"] = s("tensorflow")
            mw.attrs["keras_version"] = s(version)
            for n in names:
                g = mw.create_group(n)
                ws = self.legacy_names(n, suffix)
                g.attrs["weight_names"] = np.array([wn.encode("utf8") for wn, _ in ws], dtype="S" if ws else "S1")
                for wn, v in ws:
                    g.create_dataset(wn, data=v)


def conv_cfg(name, filters, k, strides=1, padding="same", activation="linear", dilation=1, use_bias=True, fmt="channels_last"):
    return {"name": name, "filters": filters, "kernel_size": [k, k] if isinstance(k, int) else list(k),
            "strides": [strides, strides] if isinstance(strides, int) else list(strides), "padding": padding,
            "data_format": fmt, "dilation_rate": [dilation, dilation] if isinstance(dilation, int) else list(dilation),
            "groups": 1, "activation": activation, "use_bias": use_bias,
            "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
                                   "registered_name": None}}


def conv(g, name, filters, k, cin, **kw):
    kk = (k, k) if isinstance(k, int) else k
    ws = [g.w(kk[0], kk[1], cin, filters)]
    if kw.get("use_bias", True):
        ws.append(g.w(filters, scale=0.2))
    return g.add("Conv2D", conv_cfg(name, filters, k, **kw), weights=ws, roles=["kernel", "bias"][:len(ws)])


def bn(g, name, c, center=True, scale=True, axis=-1):
    ws, roles = [], []
    if scale:
        ws.append(g.w(c, scale=0.5) + 1), roles.append("gamma")
    if center:
        ws.append(g.w(c, scale=0.3)), roles.append("beta")
    ws += [g.w(c, scale=0.3), (g.rng.uniform(0.5, 1.5, size=c)).astype(np.float32)]
    roles += ["moving_mean", "moving_variance"]
    return g.add("BatchNormalization", {"name": name, "axis": axis, "momentum": 0.99, "epsilon": 0.001, "center": center,
                                        "scale": scale}, weights=ws, roles=roles)


def x_of(seed, *shape):
    return np.random.default_rng(seed).uniform(0, 1, size=(2,) + shape).astype(np.float32)


def save(g, name, ext, check_input=None, **kw):
    path = os.path.join(OUT, name + ext)
    if ext == ".keras":
        g.save_keras(path, **kw)
    else:
        g.save_h5(path, **kw)
    x = g.vals[g.input_name] if check_input is None else check_input
    y = kf.forward(path, x)  # read back from the file: the golden comes from what was written
    assert np.allclose(y, g.vals[g.out], atol=1e-6), name
    np.save(os.path.join(OUT, name + ".input.npy"), x.astype(np.float32))
    np.save(os.path.join(OUT, name + ".output.npy"), y.astype(np.float32))
    print(name + ext, os.path.getsize(path), "bytes, output", y.shape)


def main():
    os.makedirs(OUT, exist_ok=True)

    # 1. Keras 3 Functional (dtype policies as objects): convolution and transposed convolution settings, activations
    g = Graph("k3p", "convs", [None, 9, 8, 3], x_of(1, 9, 8, 3))
    conv(g, "enc_a", 4, 3, 3, strides=2, activation="relu")
    conv(g, "enc_b", 5, (2, 3), 4, padding="valid", dilation=(2, 1), use_bias=False,
         activation={"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "trainable": True,
                     "dtype": "float32", "negative_slope": 0.1}, "registered_name": None})
    cin = g.vals[g.out].shape[-1]
    g.add("Conv2DTranspose", dict(conv_cfg("up_a", 3, 3, strides=2, activation="tanh"), output_padding=None),
          weights=[g.w(3, 3, 3, cin), g.w(3, scale=0.2)], roles=["kernel", "bias"])
    g.add("Conv2DTranspose", dict(conv_cfg("up_b", 4, (3, 2), strides=(2, 1), padding="valid", activation="elu"),
                                  output_padding=[1, 0]), weights=[g.w(3, 2, 4, 3), g.w(4, scale=0.2)], roles=["kernel", "bias"])
    g.add("Conv2DTranspose", dict(conv_cfg("up_c", 2, 3, strides=2, dilation=1, use_bias=False), output_padding=[1, 1]),
          weights=[g.w(3, 3, 2, 4)], roles=["kernel"])
    conv(g, "head", 3, 1, 2, activation="softmax")
    save(g, "k3_convs", ".keras", version="3.6.0")

    # 2. Keras 3 Sequential (InputLayer in the layer list): pooling, resizing, padding, cropping, BN, activation layers
    g = Graph("k3", "sequential", [None, 10, 9, 2], x_of(2, 10, 9, 2), cls="Sequential")
    g.add("ZeroPadding2D", {"name": "zero_padding2d", "padding": [[1, 2], [0, 1]], "data_format": "channels_last"})
    conv(g, "conv2d", 4, 3, 2, padding="valid")
    bn(g, "batch_normalization", 4, center=False)
    g.add("ReLU", {"name": "re_lu", "max_value": None, "negative_slope": 0.0, "threshold": 0.0})
    g.add("MaxPooling2D", {"name": "max_pooling2d", "pool_size": [2, 2], "padding": "same", "strides": [2, 2], "data_format": "channels_last"})
    g.add("UpSampling2D", {"name": "up_sampling2d", "size": [2, 2], "data_format": "channels_last", "interpolation": "bilinear"})
    g.add("Cropping2D", {"name": "cropping2d", "cropping": [[1, 0], [2, 1]], "data_format": "channels_last"})
    g.add("AveragePooling2D", {"name": "average_pooling2d", "pool_size": [3, 3], "padding": "same", "strides": [1, 1], "data_format": "channels_last"})
    g.add("LeakyReLU", {"name": "leaky_re_lu", "negative_slope": 0.2})
    g.add("UpSampling2D", {"name": "up_sampling2d_1", "size": [1, 2], "data_format": "channels_last", "interpolation": "nearest"})
    g.add("AveragePooling2D", {"name": "average_pooling2d_1", "pool_size": [2, 2], "padding": "valid", "strides": None, "data_format": "channels_last"})
    g.add("ZeroPadding2D", {"name": "zero_padding2d_1", "padding": [1, 1], "data_format": "channels_last"})
    g.add("Cropping2D", {"name": "cropping2d_1", "cropping": [[1, 1], [1, 1]], "data_format": "channels_last"})
    g.add("ELU", {"name": "elu", "alpha": 0.7})
    g.add("Dropout", {"name": "dropout", "rate": 0.3, "seed": None, "noise_shape": None})
    g.add("SpatialDropout2D", {"name": "spatial_dropout2d", "rate": 0.2, "seed": None, "noise_shape": None})
    g.add("GaussianNoise", {"name": "gaussian_noise", "stddev": 0.1, "seed": None})
    g.add("Activation", {"name": "activation", "activation": "sigmoid"})
    bn(g, "batch_normalization_1", 4)
    g.add("Softmax", {"name": "softmax", "axis": -1})
    save(g, "k3_sequential", ".keras")

    # 3. Keras 3 Functional: merges, a nested Functional model, Dense on images and on vectors, Rescaling, GAP
    x = x_of(3, 6, 6, 3)
    inner = Graph("k3", "block", [None, 6, 6, 4], None, input_name="block_input")
    g = Graph("k3", "merge", [None, 6, 6, 3], x)
    stem = conv(g, "stem", 4, 3, 3, activation="relu")
    inner.vals["block_input"] = g.vals[stem]
    conv(inner, "block_conv", 4, 3, 4, activation="relu")
    bn(inner, "block_bn", 4)
    a = conv(g, "branch", 4, 3, 4, activation="tanh", inputs=None) if False else None
    a = g.add("Conv2D", conv_cfg("branch", 4, 3, activation="tanh"), inputs=[stem], weights=[g.w(3, 3, 4, 4), g.w(4)], roles=["kernel", "bias"])
    blk = g.add_model(inner, inputs=[stem])
    s = g.add("Add", {"name": "add"}, inputs=[stem, a, blk])
    m = g.add("Multiply", {"name": "multiply"}, inputs=[s, a])
    d = g.add("Subtract", {"name": "subtract"}, inputs=[m, stem])
    c = g.add("Concatenate", {"name": "concatenate", "axis": -1}, inputs=[d, "input_layer"])
    g.add("Rescaling", {"name": "rescaling", "scale": 0.5, "offset": 0.1})
    g.add("Dense", {"name": "pixel_dense", "units": 5, "activation": "relu", "use_bias": True},
          weights=[g.w(7, 5), g.w(5, scale=0.2)], roles=["kernel", "bias"])
    g.add("GlobalAveragePooling2D", {"name": "gap", "data_format": "channels_last", "keepdims": True})
    g.add("Flatten", {"name": "flatten", "data_format": "channels_last"})
    g.add("Dense", {"name": "logits", "units": 4, "activation": "softmax", "use_bias": True},
          weights=[g.w(5, 4), g.w(4, scale=0.2)], roles=["kernel", "bias"])
    save(g, "k3_merge", ".keras")

    # 4. Keras 2.2.0 Sequential .h5: the config is a bare list, batch_input_shape on the first layer, ":0" weight
    #    names, fixed-length byte strings
    g = Graph("k22", "sequential_1", [None, 8, 8, 1], x_of(4, 8, 8, 1), cls="Sequential", input_name="conv2d_1_input")
    g.layers = []  # Keras 2.2.0 wrote no InputLayer: the first layer carries the shape
    c1 = conv_cfg("conv2d_1", 4, 3, activation="relu")
    c1["batch_input_shape"] = [None, 8, 8, 1]
    del c1["groups"]
    g.add("Conv2D", c1, inputs=["conv2d_1_input"], weights=[g.w(3, 3, 1, 4), g.w(4)], roles=["kernel", "bias"])
    g.add("MaxPooling2D", {"name": "max_pooling2d_1", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})
    bn(g, "batch_normalization_1", 4)
    g.add("Flatten", {"name": "flatten_1", "data_format": "channels_last"})
    g.add("Dense", {"name": "dense_1", "units": 8, "activation": "tanh", "use_bias": True}, weights=[g.w(64, 8), g.w(8)], roles=["kernel", "bias"])
    g.add("Dropout", {"name": "dropout_1", "rate": 0.5, "noise_shape": None, "seed": None})
    g.add("Dense", {"name": "dense_2", "units": 3, "activation": "softmax", "use_bias": True}, weights=[g.w(8, 3), g.w(3)], roles=["kernel", "bias"])
    g.layers.insert(0, None)  # placeholder so layer-name lists skip it uniformly
    g.layers = g.layers[1:]
    g.layers.insert(0, {"class_name": "InputLayer", "config": {"name": "conv2d_1_input"}, "name": "conv2d_1_input"})
    save(g, "k2_sequential", ".h5", version="2.2.0", fixed_bytes=True, suffix=":0")

    # 5. Keras 2 (TF 2.x) Functional .h5: list-style inbound nodes, any input size, a nested Sequential, residual
    x = x_of(5, 12, 12, 1)
    g = Graph("k2", "model", [None, None, None, 1], x, input_name="input_1")
    c0 = g.add("Conv2D", conv_cfg("conv2d", 4, 3, activation="relu"), weights=[g.w(3, 3, 1, 4), g.w(4)], roles=["kernel", "bias"])
    seq = Graph("k2", "sequential", [None, None, None, 4], g.vals[c0], cls="Sequential", input_name="input_2")
    seq.add("Conv2D", conv_cfg("conv2d_1", 4, 3, use_bias=False), weights=[seq.w(3, 3, 4, 4)], roles=["kernel"])
    bn(seq, "batch_normalization", 4, axis=[3])
    seq.add("Activation", {"name": "activation", "activation": "relu"})
    g.add_model(seq, inputs=[c0])
    g.add("Conv2DTranspose", dict(conv_cfg("conv2d_transpose", 4, 2, strides=2, padding="valid"), output_padding=None),
          weights=[g.w(2, 2, 4, 4), g.w(4)], roles=["kernel", "bias"])
    g.add("MaxPooling2D", {"name": "max_pooling2d", "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})
    cat = g.add("Concatenate", {"name": "concatenate", "axis": -1}, inputs=["max_pooling2d", c0])
    n = g.add("Conv2D", conv_cfg("conv2d_2", 1, 3), inputs=[cat], weights=[g.w(3, 3, 8, 1), g.w(1)], roles=["kernel", "bias"])
    g.add("Subtract", {"name": "subtract"}, inputs=["input_1", n])
    g.cls = "Functional"
    save(g, "k2_functional", ".h5", version="2.11.0", fixed_bytes=False, suffix=":0")
    x2 = x_of(6, 8, 10, 1)  # the same file at another size
    np.save(os.path.join(OUT, "k2_functional.input2.npy"), x2)
    np.save(os.path.join(OUT, "k2_functional.output2.npy"), kf.forward(os.path.join(OUT, "k2_functional.h5"), x2).astype(np.float32))

    # 6. Keras 3 legacy .h5 (model.save("x.h5")): __keras_tensor__ nodes in model_config, names without ":0"
    g = Graph("k3", "functional", [None, 4, 4, 2], x_of(7, 4, 4, 2))
    conv(g, "conv2d", 3, 3, 2, activation="relu")
    g.add("Flatten", {"name": "flatten", "data_format": "channels_last"})
    g.add("Dense", {"name": "dense", "units": 5, "activation": "relu", "use_bias": True}, weights=[g.w(48, 5), g.w(5)], roles=["kernel", "bias"])
    g.add("Dense", {"name": "dense_1", "units": 2, "activation": "sigmoid", "use_bias": False}, weights=[g.w(5, 2)], roles=["kernel"])
    save(g, "k3_legacy", ".h5", version="3.3.3", fixed_bytes=False, suffix="")

    # 7. channels_first (Keras 3): NCHW input, BN axis 1, Concatenate/Softmax on axis 1, a channels_last Flatten
    #    (features in (c,h,w) order) read by a Dense
    cf = "channels_first"
    x = x_of(8, 2, 6, 5)
    g = Graph("k3", "cf", [None, 2, 6, 5], x)
    a = conv(g, "conv2d", 3, 3, 2, activation="relu", fmt=cf)
    b = g.add("Conv2D", conv_cfg("conv2d_1", 2, 1, fmt=cf), inputs=["input_layer"], weights=[g.w(1, 1, 2, 2), g.w(2)], roles=["kernel", "bias"])
    g.add("Concatenate", {"name": "concatenate", "axis": 1}, inputs=[a, b])
    bn(g, "batch_normalization", 5, axis=1)
    g.add("MaxPooling2D", {"name": "max_pooling2d", "pool_size": [2, 2], "padding": "same", "strides": [2, 2], "data_format": cf})
    g.add("Softmax", {"name": "softmax", "axis": 1})
    g.add("Flatten", {"name": "flatten", "data_format": "channels_last"})
    g.add("Dense", {"name": "dense", "units": 4, "activation": "linear", "use_bias": True}, weights=[g.w(5 * 3 * 3, 4), g.w(4)], roles=["kernel", "bias"])
    save(g, "k3_channels_first", ".keras")

    # 7b. channels_first with a Reshape that flattens the image: features in (c,h,w) order for the Dense after it
    x = x_of(12, 3, 4, 3)
    g = Graph("k3", "cf_reshape", [None, 3, 4, 3], x)
    conv(g, "conv2d", 2, 3, 3, activation="tanh", fmt=cf)
    g.add("Reshape", {"name": "reshape", "target_shape": [-1]})
    g.add("Dense", {"name": "dense", "units": 3, "activation": "linear", "use_bias": True}, weights=[g.w(2 * 4 * 3, 3), g.w(3)],
          roles=["kernel", "bias"])
    save(g, "k3_cf_reshape", ".keras")

    # 8. Keras 2.2.0 Functional .h5: class_name "Model", list-style nodes, a residual Add
    g = Graph("k2", "model_1", [None, 8, 8, 1], x_of(10, 8, 8, 1), cls="Model", input_name="input_1")
    del g.layers[0]["config"]["batch_input_shape"]
    g.layers[0]["config"]["batch_input_shape"] = [None, 8, 8, 1]
    c = g.add("Conv2D", {k: v for k, v in conv_cfg("conv2d_1", 2, 3, activation="relu").items() if k != "groups"},
              weights=[g.w(3, 3, 1, 2), g.w(2)], roles=["kernel", "bias"])
    g.add("ZeroPadding2D", {"name": "zero_padding2d_1", "padding": [[1, 1], [1, 1]], "data_format": "channels_last"})
    n = g.add("Conv2D", {k: v for k, v in conv_cfg("conv2d_2", 1, 3, padding="valid").items() if k != "groups"},
              weights=[g.w(3, 3, 2, 1), g.w(1)], roles=["kernel", "bias"])
    g.add("Add", {"name": "add_1"}, inputs=["input_1", n])
    save(g, "k22_model", ".h5", version="2.2.0", fixed_bytes=True, suffix=":0")

    # 9. tf.keras 2.13 .keras: Keras 2 config forms, weights under _layer_checkpoint_dependencies/ (tf.keras's name)
    g = Graph("k2", "model", [None, 6, 6, 2], x_of(11, 6, 6, 2), input_name="input_1")
    conv(g, "conv2d", 3, 3, 2, activation="relu")
    g.add("Conv2DTranspose", dict(conv_cfg("conv2d_transpose", 2, 3, strides=2), output_padding=None),
          weights=[g.w(3, 3, 2, 3), g.w(2)], roles=["kernel", "bias"])
    g.add("GlobalAveragePooling2D", {"name": "global_average_pooling2d", "data_format": "channels_last", "keepdims": False})
    save(g, "k213_functional", ".keras", version="2.13.1", container="_layer_checkpoint_dependencies")

    # 10. error fixtures: a weights-only legacy file (model.save_weights), an unsupported layer, a shared layer
    with h5py.File(os.path.join(OUT, "weights_only.h5"), "w") as h5:
        h5.attrs["layer_names"] = np.array([b"dense"])
        h5.attrs["backend"] = "tensorflow"
        h5.attrs["keras_version"] = "2.11.0"
        gg = h5.create_group("dense")
        gg.attrs["weight_names"] = np.array([b"dense/kernel:0"])
        gg.create_dataset("dense/kernel:0", data=np.zeros((2, 2), np.float32))
    g = Graph("k3", "bad", [None, 8, 8, 3], x_of(9, 8, 8, 3))
    conv(g, "conv2d", 3, 3, 3)
    g.layers.append(g.entry("DepthwiseConv2D", "depthwise", {"name": "depthwise", "kernel_size": [3, 3]}, ["conv2d"]))
    g.vals["depthwise"] = g.vals["conv2d"]
    g.layers.append(g.entry("SeparableConv2D", "sep", {"name": "sep", "filters": 3}, ["depthwise"]))
    g.out = "sep"
    g.save_keras(os.path.join(OUT, "unsupported.keras"))
    g = Graph("k3", "shared", [None, 8, 8, 3], x_of(9, 8, 8, 3))
    conv(g, "conv2d", 3, 3, 3)
    e = g.layers[-1]
    e["inbound_nodes"].append({"args": [g.tensor("conv2d")], "kwargs": {}})
    g.save_keras(os.path.join(OUT, "shared.keras"))
    # a conv whose config and kernel dataset both claim 2^20 filters: an unwritten chunked dataset costs the file
    # nothing, so only a bound on what the file can hold keeps the reader from allocating 2^20 * 27 floats
    g = Graph("k3", "huge", [None, 8, 8, 3], x_of(9, 8, 8, 3))
    g.layers.append(g.entry("Conv2D", "conv2d", conv_cfg("conv2d", 1 << 20, 3), ["input_layer"]))
    g.out = "conv2d"
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        h5.create_group("layers/input_layer/vars")
        v = h5.create_group("layers/conv2d/vars")
        v.create_dataset("0", shape=(3, 3, 3, 1 << 20), dtype="f4", chunks=(3, 3, 3, 1024))
        v.create_dataset("1", shape=(1 << 20,), dtype="f4", chunks=(1024,))
        h5.create_group("vars")
    with zipfile.ZipFile(os.path.join(OUT, "huge_dataset.keras"), "w") as z:
        z.writestr(entry("metadata.json"), json.dumps({"keras_version": "3.3.3"}))
        z.writestr(entry("config.json"), json.dumps(g.top()))
        z.writestr(entry("model.weights.h5"), buf.getvalue())


if __name__ == "__main__" and len(sys.argv) == 1:
    main()


def colourspark_golden():
    """Golden of the real Keras 3.3.3 file (shared/keras): its output on a synthetic gray ramp, every 8th pixel."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "keras", "colourspark-autoencoder.keras")
    i, j = np.meshgrid(np.arange(96), np.arange(96), indexing="ij")
    x = (((i * 7 + j * 3) % 96) / 95.0).astype(np.float32)[None, :, :, None]  # the Java test makes the same input
    y = kf.forward(src, x)
    np.save(os.path.join(OUT, "colourspark.output-every8.npy"), y[:, ::8, ::8, :].astype(np.float32))
    print("colourspark golden", y.shape, float(y.min()), float(y.max()))


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--colourspark":
    colourspark_golden()
