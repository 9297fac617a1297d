package io.hush.engine.io;

import com.google.protobuf.ByteString;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.graph.Node;
import io.hush.engine.io.proto.DataType;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.io.proto.Tensor;
import io.hush.engine.layers.Param;

import java.time.Instant;

/** A {@link Model} to its {@code hush.format.HushModel} message: input shape, nodes with settings and parameters, card. */
final class ModelEncoder {
    private ModelEncoder() {}

    static HushModel encode(Model model, Storage storage, Instant now, String hushVersion) {
        HushModel.Builder m = HushModel.newBuilder();
        for (int d : model.inputShape().dims()) m.addInputShape(d);
        DataType reduced = switch (storage) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case Q4 -> DataType.Q4_BLOCK256;
            case INT8 -> DataType.INT8_CHANNEL;
        };
        for (Node node : model.nodes()) {
            if (node.isInput()) continue;
            io.hush.engine.io.proto.Node.Builder n = LayerCodec.encode(node.layer()).setName(node.layer().name());
            for (int src : node.inputs()) n.addInputs(src);
            for (Param p : node.layer().params()) {
                ByteString[] data = new ByteString[1];
                DataType used;
                if (p.int8 != null && reduced == DataType.INT8_CHANNEL) { // kept as int8: its exact codes and scales
                    data[0] = TensorCodec.encode(p.int8);
                    used = DataType.INT8_CHANNEL;
                } else {
                    // int8 is for kernels (rank >= 2, a scale per output channel); biases stay float32
                    Shape shape = p.value.shape();
                    DataType want = !p.trainable || (reduced == DataType.INT8_CHANNEL && shape.rank() < 2) ? DataType.FLOAT32 : reduced;
                    used = TensorCodec.encode(p.values(), want, data, shape.dim(-1));
                }
                Tensor.Builder t = Tensor.newBuilder().setName(p.name).setDataType(used).setData(data[0])
                        .setTrainable(p.trainable);
                for (int d : p.value.shape().dims()) t.addDims(d);
                n.addParams(t);
            }
            m.addNodes(n);
        }
        Instant created = model.card().created() != null ? model.card().created() : now;
        m.setCard(CardCodec.encode(model.card(), created, hushVersion));
        return m.build();
    }
}
