package io.hush.engine.io;

import com.google.protobuf.ByteString;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.io.proto.Node;
import io.hush.engine.io.proto.Tensor;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code hush.format.HushModel} message to a {@link Model}, trusting nothing in it. In order:
 * <ol>
 * <li>the input shape and the node count are bounded ({@link #MAX_RANK}, {@link #MAX_ELEMENTS}, {@link #MAX_NODES});
 * <li>per node: inputs must name earlier nodes (no forward references, so no cycles), the layer is built through its
 *     constructor and added with the model builder's shape inference, and its output shape is bounded;
 * <li>per node: every stored tensor is checked (known type, dims 1..2^31-1, bytes = elements x element size); then
 *     the layer creates its parameters in a {@link BudgetArena} bounded by what the file holds, and their names and
 *     shapes must equal the stored ones, one for one;
 * <li>only then is the real model built (allocating parameters) and the values copied in.
 * </ol>
 * Anything a layer constructor or shape rule throws is wrapped with the node's location. Every problem is a
 * {@link ModelFormatException} naming node id, layer name and type, and field.
 */
final class ModelDecoder {
    /** More nodes than any denoiser needs; bounds the builder's per-node work (it is quadratic in the node count). */
    static final int MAX_NODES = 10_000;
    static final int MAX_RANK = 8;
    /** Elements of one per-sample activation (1 GiB of float32): bounds what a model built from a file can ask for. */
    static final long MAX_ELEMENTS = 1L << 28;
    static final int MAX_PARAMS_PER_LAYER = 64;

    private ModelDecoder() {}

    static Model decode(HushModel m) throws ModelFormatException {
        Shape input = inputShape(m.getInputShapeList());
        if (m.getNodesCount() > MAX_NODES) {
            throw new ModelFormatException("graph has " + m.getNodesCount() + " nodes, more than the limit of " + MAX_NODES);
        }
        if (m.getNodesCount() == 0) throw new ModelFormatException("graph has no layers");
        Model.Builder b = Model.builder(input);
        List<Shape> shapes = new ArrayList<>();
        shapes.add(input);
        for (int i = 0; i < m.getNodesCount(); i++) {
            Node n = m.getNodes(i);
            int id = i + 1;
            String where = "node " + id + " '" + n.getName() + "' (" + n.getType() + ")";
            int[] inputs = new int[n.getInputsCount()];
            for (int k = 0; k < inputs.length; k++) {
                int src = n.getInputs(k);
                if (src < 0 || src >= id) {
                    throw new ModelFormatException(where + ": input " + k + " is node " + src + ", but a node may only read "
                            + "earlier nodes 0.." + (id - 1) + (src >= id ? " (forward reference or cycle)" : ""));
                }
                inputs[k] = src;
            }
            Layer layer;
            try {
                layer = LayerCodec.decode(n);
            } catch (ModelFormatException e) {
                throw new ModelFormatException(where + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new ModelFormatException(where + ": invalid settings: " + e.getMessage(), e);
            }
            layer.name(n.getName());
            // a kernel stored as INT8_CHANNEL stays int8 in memory when the layer can compute from it
            for (Tensor t : n.getParamsList()) {
                if (t.getDataType() == io.hush.engine.io.proto.DataType.INT8_CHANNEL && t.getName().equals("kernel")
                        && layer instanceof io.hush.engine.layers.KernelLayer kl) {
                    kl.kernelStorage(io.hush.engine.layers.KernelStorage.INT8);
                }
            }
            Shape out;
            try {
                b.add(layer, inputs);
                out = b.shape(id);
            } catch (RuntimeException e) {
                throw new ModelFormatException(where + ": " + e.getMessage(), e);
            }
            if (out.rank() > MAX_RANK || elements(out) > MAX_ELEMENTS) {
                throw new ModelFormatException(where + ": output shape " + out + " is larger than the limit of "
                        + MAX_ELEMENTS + " elements (rank " + MAX_RANK + ") per sample");
            }
            Shape[] in = new Shape[inputs.length];
            for (int k = 0; k < in.length; k++) in[k] = shapes.get(inputs[k]);
            shapes.add(out);
            checkParams(n, layer, in, where);
        }
        Model model;
        try {
            model = b.build();
        } catch (RuntimeException e) {
            throw new ModelFormatException("building the model failed: " + e.getMessage(), e);
        }
        for (int i = 0; i < m.getNodesCount(); i++) {
            List<Param> ps = model.nodes().get(i + 1).layer().params();
            for (int k = 0; k < ps.size(); k++) {
                Tensor t = m.getNodes(i).getParams(k);
                if (ps.get(k).int8 != null) TensorCodec.decodeInt8(t.getData(), ps.get(k).int8);
                else TensorCodec.decode(t.getData(), t.getDataType(), ps.get(k).value.size(), ps.get(k).value);
            }
        }
        return model;
    }

    private static Shape inputShape(List<Integer> dims) throws ModelFormatException {
        if (dims.isEmpty() || dims.size() > MAX_RANK) {
            throw new ModelFormatException("input_shape " + dims + " must have rank 1.." + MAX_RANK);
        }
        long size = 1;
        int[] d = new int[dims.size()];
        for (int k = 0; k < d.length; k++) {
            d[k] = dims.get(k);
            if (d[k] < 1) throw new ModelFormatException("input_shape " + dims + ": dimension " + k + " is " + d[k] + " (must be >= 1)");
            size *= d[k]; // <= (2^28)^2 before the check below stops it: no overflow
            if (size > MAX_ELEMENTS) {
                throw new ModelFormatException("input_shape " + dims + " is larger than the limit of " + MAX_ELEMENTS + " elements");
            }
        }
        return Shape.of(d);
    }

    /** Checks the stored tensors, then that the layer's own parameters (made in a bounded dry run) match them. */
    private static void checkParams(Node n, Layer layer, Shape[] in, String where) throws ModelFormatException {
        if (n.getParamsCount() > MAX_PARAMS_PER_LAYER) {
            throw new ModelFormatException(where + ": " + n.getParamsCount() + " parameters, more than the limit of " + MAX_PARAMS_PER_LAYER);
        }
        long fileElements = 0;
        long[][] dims = new long[n.getParamsCount()][];
        for (int k = 0; k < n.getParamsCount(); k++) {
            Tensor t = n.getParams(k);
            String pw = where + ": parameter " + k + " '" + t.getName() + "'";
            if (!TensorCodec.known(t.getDataType())) throw new ModelFormatException(pw + ": unknown data_type " + t.getDataTypeValue());
            if (t.getDimsCount() < 1 || t.getDimsCount() > MAX_RANK) {
                throw new ModelFormatException(pw + ": dims " + t.getDimsList() + " must have rank 1.." + MAX_RANK);
            }
            ByteString data = t.getData();
            long maxElements = TensorCodec.maxElements(t.getDataType(), data.size());
            long count = 1;
            for (int j = 0; j < t.getDimsCount(); j++) {
                long d = t.getDims(j);
                if (d < 1 || d > Integer.MAX_VALUE) {
                    throw new ModelFormatException(pw + ": dimension " + j + " of " + t.getDimsList() + " is " + d
                            + " (must be 1.." + Integer.MAX_VALUE + ")");
                }
                // count and d are both < 2^31, so the product cannot overflow a long before we compare it
                count *= d;
                if (count > maxElements) {
                    throw new ModelFormatException(pw + ": dims " + t.getDimsList() + " claim more elements than its "
                            + data.size() + " bytes of " + t.getDataType() + " data hold (" + maxElements + ")");
                }
            }
            long need = TensorCodec.dataBytes(t.getDataType(), count, t.getDims(t.getDimsCount() - 1));
            if (need != data.size()) {
                throw new ModelFormatException(pw + ": " + data.size() + " bytes of data, but dims " + t.getDimsList()
                        + " of " + t.getDataType() + " need " + need);
            }
            dims[k] = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            fileElements += count;
        }
        // Value + gradient per parameter, plus slack for alignment and small layer-private buffers.
        long budget = 8 * fileElements + 64L * 2 * (n.getParamsCount() + 1) + (1 << 16);
        try (BudgetArena arena = new BudgetArena(budget)) {
            try {
                layer.createParams(in, arena);
            } catch (BudgetArena.OverBudget e) {
                throw new ModelFormatException(where + ": the layer's settings need more parameter memory ("
                        + e.requested + "+ bytes) than the " + fileElements + " stored parameter values account for");
            } catch (RuntimeException e) {
                throw new ModelFormatException(where + ": cannot create its parameters: " + e.getMessage(), e);
            }
            List<Param> ps = layer.params();
            if (ps.size() != n.getParamsCount()) {
                throw new ModelFormatException(where + ": the layer has " + ps.size() + " parameter tensor(s) "
                        + names(ps) + ", the file has " + n.getParamsCount());
            }
            for (int k = 0; k < ps.size(); k++) {
                Param p = ps.get(k);
                Tensor t = n.getParams(k);
                long[] want = Arrays.stream(p.value.shape().dims()).asLongStream().toArray();
                if (!p.name.equals(t.getName()) || !Arrays.equals(want, dims[k])) {
                    throw new ModelFormatException(where + ": parameter " + k + " must be '" + p.name + "' "
                            + p.value.shape() + ", the file has '" + t.getName() + "' " + Arrays.toString(dims[k])
                            .replace(" ", ""));
                }
            }
        }
    }

    /** Element count, saturating at Long.MAX_VALUE (Shape.size() throws on overflow: a rank-8 shape can overflow). */
    static long elements(Shape s) {
        long n = 1;
        for (int d : s.dims()) {
            if (n > MAX_ELEMENTS) return Long.MAX_VALUE;
            n *= d; // n <= 2^28 and d < 2^31: no overflow
        }
        return n;
    }

    private static String names(List<Param> ps) {
        StringBuilder sb = new StringBuilder("[");
        for (Param p : ps) sb.append(sb.length() > 1 ? ", " : "").append(p.name).append(p.value.shape());
        return sb.append(']').toString();
    }
}
