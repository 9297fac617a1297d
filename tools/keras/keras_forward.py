#!/usr/bin/env python3
"""An independent numpy forward pass for Keras model files: the reference Hush's Keras import is checked against.

It reads .keras (Keras 3 zip) and .h5 (Keras 2 / legacy HDF5) files with h5py and json only -- TensorFlow and Keras
are not installable here -- and implements each supported layer from Keras's documented semantics (TensorFlow's SAME
padding rule, half-pixel bilinear resizing, average pooling that does not count padding, ...), in NHWC or NCHW as the
layer's data_format says. It shares no code with Hush.

    python3 keras_forward.py model.keras input.npy output.npy     # input: [N,H,W,C] (or [N,C,H,W] channels_first)
"""
import io
import json
import re
import sys
import zipfile

import h5py
import numpy as np


# ---------------------------------------------------------------------------------------------------------------------
# file reading

def snake(name, tf_keras=False):
    """Keras's naming.to_snake_case (Keras 3) / generic_utils.to_snake_case (tf.keras 2)."""
    if tf_keras:
        s = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
        return re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()
    s = re.sub(r"\W+", "", name)
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", s)
    return re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()


def load(path):
    """(model config dict, weights(layer_record) -> list of arrays)."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head[:4] == b"PK\x03\x04":
        z = zipfile.ZipFile(path)
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json")) if "metadata.json" in z.namelist() else {}
        tf_keras = str(meta.get("keras_version", "3")).startswith("2.")
        h5 = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")

        def weights(rec):
            path = rec["v3path"] + "/vars"
            if path not in h5 and "_layer_checkpoint_dependencies" in h5:  # tf.keras 2.13's name of the container
                path = path.replace("layers/", "_layer_checkpoint_dependencies/")
            g = h5[path]
            return [np.array(g[str(i)]) for i in range(len(g.keys()))]
        return config, weights, tf_keras
    h5 = h5py.File(path, "r")
    cfg = h5.attrs["model_config"]
    config = json.loads(cfg.decode("utf8") if isinstance(cfg, bytes) else cfg)
    root = h5["model_weights"] if "model_weights" in h5 else h5

    def weights(rec):
        g = root[rec["group"]]
        names = [n.decode("utf8") if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
        if rec["group"] != rec["name"]:  # a layer of a nested model: its own weights are those it owns
            names = [n for n in names if n.split("/")[-2] == rec["name"]]
        return [np.array(g[n]) for n in names]
    return config, weights, False


# ---------------------------------------------------------------------------------------------------------------------
# layers (NHWC helpers; channels_first layers transpose around them)

def tf_same_pads(n, k, s, d=1):
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return out, total // 2, total - total // 2


def conv2d(x, k, strides, padding, dilation):
    n, h, w, c = x.shape
    kh, kw, _, co = k.shape
    sh, sw = strides
    dh, dw = dilation
    if padding == "same":
        oh, pt, pb = tf_same_pads(h, kh, sh, dh)
        ow, pl, pr = tf_same_pads(w, kw, sw, dw)
    else:
        oh, pt, pb = (h - ((kh - 1) * dh + 1)) // sh + 1, 0, 0
        ow, pl, pr = (w - ((kw - 1) * dw + 1)) // sw + 1, 0, 0
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    y = np.zeros((n, oh, ow, co))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dh: i * dh + (oh - 1) * sh + 1: sh, j * dw: j * dw + (ow - 1) * sw + 1: sw, :]
            y += patch @ k[i, j].astype(np.float64)
    return y


def deconv_len(n, k, s, d, padding, op):
    eff = (k - 1) * d + 1
    if op is None:
        return n * s + max(eff - s, 0) if padding == "valid" else n * s
    pad = eff // 2 if padding == "same" else 0
    return (n - 1) * s + eff - 2 * pad + op


def conv2d_transpose(x, k, strides, padding, dilation, output_padding):
    """k: Keras layout [kh, kw, out, in]; scatter form of the transposed convolution, then TF's crop."""
    n, h, w, c = x.shape
    kh, kw, co, _ = k.shape
    sh, sw = strides
    dh, dw = dilation
    oph, opw = (None, None) if output_padding is None else output_padding
    oh, ow = deconv_len(h, kh, sh, dh, padding, oph), deconv_len(w, kw, sw, dw, padding, opw)
    fh, fw = (h - 1) * sh + (kh - 1) * dh + 1, (w - 1) * sw + (kw - 1) * dw + 1
    full = np.zeros((n, max(fh, oh), max(fw, ow), co))
    for i in range(kh):
        for j in range(kw):
            contrib = x.astype(np.float64) @ k[i, j].astype(np.float64).T  # [n,h,w,co]
            full[:, i * dh: i * dh + (h - 1) * sh + 1: sh, j * dw: j * dw + (w - 1) * sw + 1: sw, :] += contrib
    pt = max(fh - oh, 0) // 2 if padding == "same" else 0
    pl = max(fw - ow, 0) // 2 if padding == "same" else 0
    return full[:, pt: pt + oh, pl: pl + ow, :]


def pool(x, size, strides, padding, kind):
    n, h, w, c = x.shape
    ph, pw = size
    sh, sw = strides
    if padding == "same":
        oh, pt, _ = tf_same_pads(h, ph, sh)
        ow, pl, _ = tf_same_pads(w, pw, sw)
    else:
        oh, ow, pt, pl = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0
    y = np.zeros((n, oh, ow, c))
    for a in range(oh):
        for b in range(ow):
            r0, c0 = a * sh - pt, b * sw - pl
            win = x[:, max(r0, 0): min(r0 + ph, h), max(c0, 0): min(c0 + pw, w), :].astype(np.float64)
            y[:, a, b, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


def resize_bilinear(x, sh, sw):
    """tf.image.resize(..., 'bilinear'): half-pixel centres, edges clamped."""
    def axis(n, s):
        out = n * s
        src = (np.arange(out) + 0.5) / s - 0.5
        lo = np.floor(src)
        frac = src - lo
        return np.clip(lo, 0, n - 1).astype(int), np.clip(lo + 1, 0, n - 1).astype(int), frac
    y0, y1, fy = axis(x.shape[1], sh)
    x0, x1, fx = axis(x.shape[2], sw)
    x = x.astype(np.float64)
    top = x[:, y0][:, :, x0] * (1 - fx)[None, None, :, None] + x[:, y0][:, :, x1] * fx[None, None, :, None]
    bot = x[:, y1][:, :, x0] * (1 - fx)[None, None, :, None] + x[:, y1][:, :, x1] * fx[None, None, :, None]
    return top * (1 - fy)[None, :, None, None] + bot * fy[None, :, None, None]


def act(x, spec):
    if spec is None or spec == "linear":
        return x
    if isinstance(spec, dict):
        cls, cfg = spec["class_name"], spec.get("config", {})
        if cls == "function":
            return act(x, cfg)
        if cls == "LeakyReLU":
            return np.where(x > 0, x, x * cfg.get("negative_slope", cfg.get("alpha", 0.3)))
        if cls == "ReLU":
            return np.where(x > 0, x, x * cfg.get("negative_slope", 0.0))
        if cls == "ELU":
            return np.where(x > 0, x, cfg.get("alpha", 1.0) * (np.exp(np.minimum(x, 0)) - 1))
        if cls == "Softmax":
            return softmax(x, -1)
        raise ValueError(cls)
    return {"relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh,
            "leaky_relu": lambda v: np.where(v > 0, v, 0.2 * v),
            "elu": lambda v: np.where(v > 0, v, np.exp(np.minimum(v, 0)) - 1),
            "softmax": lambda v: softmax(v, -1)}[spec](x)


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def tblr(v):
    if isinstance(v, int):
        return v, v, v, v
    if isinstance(v[0], (list, tuple)):
        return v[0][0], v[0][1], v[1][0], v[1][1]
    return v[0], v[0], v[1], v[1]


def run_layer(cls, cfg, xs, w):
    """One Keras layer in inference mode; xs: list of input arrays (channels as the layer's data_format says)."""
    cf = cfg.get("data_format") == "channels_first"
    to_nhwc = (lambda t: t.transpose(0, 2, 3, 1)) if cf else (lambda t: t)
    to_own = (lambda t: t.transpose(0, 3, 1, 2)) if cf else (lambda t: t)
    x = xs[0]
    if cls in ("Conv2D", "Convolution2D"):
        y = conv2d(to_nhwc(x), w[0], pair(cfg.get("strides", 1)), cfg["padding"], pair(cfg.get("dilation_rate", 1)))
        if cfg.get("use_bias", True):
            y = y + w[1]
        return to_own(act(y, cfg.get("activation"))) if not (cf and cfg.get("activation") == "softmax") else None
    if cls == "Conv2DTranspose":
        op = cfg.get("output_padding")
        y = conv2d_transpose(to_nhwc(x), w[0], pair(cfg.get("strides", 1)), cfg["padding"],
                             pair(cfg.get("dilation_rate", 1)), None if op is None else pair(op))
        if cfg.get("use_bias", True):
            y = y + w[1]
        return to_own(act(y, cfg.get("activation")))
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        size = pair(cfg.get("pool_size", 2))
        strides = size if cfg.get("strides") is None else pair(cfg["strides"])
        return to_own(pool(to_nhwc(x), size, strides, cfg["padding"], "max" if cls.startswith("Max") else "avg"))
    if cls == "UpSampling2D":
        sh, sw = pair(cfg.get("size", 2))
        t = to_nhwc(x)
        if cfg.get("interpolation", "nearest") == "nearest":
            return to_own(np.repeat(np.repeat(t, sh, axis=1), sw, axis=2))
        return to_own(resize_bilinear(t, sh, sw))
    if cls == "ZeroPadding2D":
        t, b, l, r = tblr(cfg["padding"])
        return to_own(np.pad(to_nhwc(x), ((0, 0), (t, b), (l, r), (0, 0))))
    if cls == "Cropping2D":
        t, b, l, r = tblr(cfg["cropping"])
        v = to_nhwc(x)
        return to_own(v[:, t: v.shape[1] - b, l: v.shape[2] - r, :])
    if cls == "GlobalAveragePooling2D":
        m = to_nhwc(x).mean(axis=(1, 2))
        return to_own(m[:, None, None, :]) if cfg.get("keepdims", False) else m
    if cls == "Dense":
        y = x.astype(np.float64) @ w[0].astype(np.float64)
        if cfg.get("use_bias", True):
            y = y + w[1]
        return act(y, cfg.get("activation"))
    if cls == "Flatten":
        if cf and x.ndim == 4:
            x = x.transpose(0, 2, 3, 1)  # Keras: a channels_first Flatten keeps the channels_last weight order
        return x.reshape(x.shape[0], -1)
    if cls == "Reshape":
        return x.reshape((x.shape[0],) + tuple(cfg["target_shape"]))
    if cls == "BatchNormalization":
        axis = cfg.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) else axis
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        i = 0
        gamma = w[i] if cfg.get("scale", True) else np.ones(x.shape[axis])
        i += cfg.get("scale", True)
        beta = w[i] if cfg.get("center", True) else np.zeros(x.shape[axis])
        i += cfg.get("center", True)
        mean, var = w[i], w[i + 1]
        r = lambda v: np.reshape(v, shape)
        return (x - r(mean)) / np.sqrt(r(var) + cfg.get("epsilon", 1e-3)) * r(gamma) + r(beta)
    if cls == "Activation":
        return act(x, cfg["activation"])
    if cls == "ReLU":
        return np.where(x > 0, x, x * (cfg.get("negative_slope") or 0.0))
    if cls == "LeakyReLU":
        return np.where(x > 0, x, x * cfg.get("negative_slope", cfg.get("alpha", 0.3)))
    if cls == "ELU":
        return np.where(x > 0, x, cfg.get("alpha", 1.0) * (np.exp(np.minimum(x, 0)) - 1))
    if cls == "Softmax":
        axis = cfg.get("axis", -1)
        return softmax(x, axis[0] if isinstance(axis, list) else axis)
    if cls in ("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout"):
        return x
    if cls == "Add":
        return sum(xs[1:], xs[0])
    if cls == "Subtract":
        return xs[0] - xs[1]
    if cls == "Multiply":
        y = xs[0]
        for v in xs[1:]:
            y = y * v
        return y
    if cls == "Concatenate":
        return np.concatenate(xs, axis=cfg.get("axis", -1))
    if cls == "Rescaling":
        return x * cfg.get("scale", 1.0) + cfg.get("offset", 0.0)
    raise ValueError("no numpy reference for " + cls)


# ---------------------------------------------------------------------------------------------------------------------
# graphs

def parse_refs(v):
    if v and isinstance(v[0], str):
        return [tuple(v[:3])]
    return [tuple(r[:3]) for r in v]


def call_inputs(node):
    """The (layer, node, tensor) refs of one inbound node, Keras 2 list form or Keras 3 dict form."""
    if isinstance(node, dict):
        out = []

        def walk(o):
            if isinstance(o, dict):
                if o.get("class_name") == "__keras_tensor__":
                    out.append(tuple(o["config"]["keras_history"]))
                else:
                    for v in o.values():
                        walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(node["args"])
        return out
    return [tuple(e[:3]) for e in node]


def describe(cls, cfg, v3prefix, group, tf_keras):
    """Layer records of one (possibly nested) model: name, class, config, inputs, v3 path, legacy group."""
    seq = cls == "Sequential"
    layers = cfg if isinstance(cfg, list) else cfg["layers"]
    recs, used = [], {}
    for i, l in enumerate(layers):
        name = l.get("name", l["config"].get("name"))
        rec = {"name": name, "cls": l["class_name"], "cfg": l["config"]}
        if not (seq and l["class_name"] == "InputLayer"):
            key = snake(l["class_name"], tf_keras)
            k = used.get(key, -1) + 1
            used[key] = k
            rec["v3path"] = (v3prefix + "/" if v3prefix else "") + "layers/" + (key if k == 0 else f"{key}_{k}")
        rec["group"] = group or name
        if l["class_name"] in ("Sequential", "Functional", "Model"):
            rec["nested"] = describe(l["class_name"], l["config"], rec.get("v3path", ""), rec["group"], tf_keras)
        if not seq:
            rec["calls"] = [call_inputs(n) for n in l.get("inbound_nodes", [])]
        recs.append(rec)
    if seq:
        if recs[0]["cls"] != "InputLayer":
            first = recs[0]["cfg"]
            shape = first.get("batch_input_shape") or first.get("batch_shape")
            recs.insert(0, {"name": "__input__", "cls": "InputLayer", "cfg": {"batch_shape": shape}})
        for a, b in zip(recs, recs[1:]):
            b["calls"] = [[(a["name"], 0, 0)]]
        return {"layers": recs, "inputs": [(recs[0]["name"], 0, 0)], "outputs": [(recs[-1]["name"], 0, 0)]}
    return {"layers": recs, "inputs": parse_refs(cfg["input_layers"]), "outputs": parse_refs(cfg["output_layers"])}


def run_model(m, inputs, weights):
    env = {}
    for r, x in zip(m["inputs"], inputs):
        env[(r[0], 0, 0)] = x
    pending = [l for l in m["layers"] if l["cls"] != "InputLayer"]
    while pending:
        for l in list(pending):
            refs = l["calls"][0]
            if all(tuple(r) in env for r in refs):
                xs = [env[tuple(r)] for r in refs]
                if "nested" in l:
                    outs = run_model(l["nested"], xs, weights)
                    for k, o in enumerate(outs):
                        env[(l["name"], 0, k)] = o
                else:
                    has_w = l["cls"] in ("Conv2D", "Convolution2D", "Conv2DTranspose", "Dense", "BatchNormalization")
                    env[(l["name"], 0, 0)] = run_layer(l["cls"], l["cfg"], xs, weights(l) if has_w else [])
                pending.remove(l)
    return [env[tuple(r)] for r in m["outputs"]]


def forward(path, x):
    config, weights, tf_keras = load(path)
    m = describe(config["class_name"], config["config"], "", None, tf_keras)
    return run_model(m, [x.astype(np.float64)], weights)[0]


if __name__ == "__main__":
    y = forward(sys.argv[1], np.load(sys.argv[2]))
    np.save(sys.argv[3], y.astype(np.float32))
