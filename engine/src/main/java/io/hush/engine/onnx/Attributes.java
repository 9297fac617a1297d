package io.hush.engine.onnx;

import com.google.protobuf.ByteString;
import io.hush.engine.onnx.proto.Onnx.AttributeProto;
import io.hush.engine.onnx.proto.Onnx.AttributeProto.AttributeType;
import io.hush.engine.onnx.proto.Onnx.NodeProto;

/**
 * ONNX node attributes: typed readers with defaults (import) and builders (export). A reader refuses an attribute
 * of another type, or an int that does not fit Java's {@code int}, with an {@link IllegalArgumentException} naming
 * the attribute and its value; the import records it against the node being read, so the problem line names both.
 */
final class Attributes {
    private Attributes() {}

    /** The attribute {@code name} of node n, or null. */
    private static AttributeProto find(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    /** An INT attribute, or {@code dflt} when absent. */
    static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = find(n, name, AttributeType.INT);
        return a == null ? dflt : a.getI();
    }

    /** An INTS attribute as Java ints, or {@code dflt} (may be null) when absent. */
    static int[] intsAttr(NodeProto n, String name, int[] dflt) {
        AttributeProto a = find(n, name, AttributeType.INTS);
        if (a == null) return dflt;
        int[] v = new int[a.getIntsCount()];
        for (int k = 0; k < v.length; k++) {
            long x = a.getInts(k);
            if (x != (int) x) throw new IllegalArgumentException("attribute " + show(a) + ": " + x + " is out of range");
            v[k] = (int) x;
        }
        return v;
    }

    /** A FLOAT attribute, or {@code dflt} when absent. */
    static float floatAttr(NodeProto n, String name, float dflt) {
        AttributeProto a = find(n, name, AttributeType.FLOAT);
        return a == null ? dflt : a.getF();
    }

    /** A STRING attribute (UTF-8), or {@code dflt} when absent. */
    static String stringAttr(NodeProto n, String name, String dflt) {
        AttributeProto a = find(n, name, AttributeType.STRING);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /**
     * The attribute {@code name} of node n, or null; one of another type is refused (files that leave the type unset,
     * UNDEFINED, are read by the field the reader wants).
     */
    private static AttributeProto find(NodeProto n, String name, AttributeType type) {
        AttributeProto a = find(n, name);
        if (a != null && a.getType() != type && a.getType() != AttributeType.UNDEFINED) {
            throw new IllegalArgumentException("attribute " + a.getName() + " is " + a.getType() + ", expected " + type);
        }
        return a;
    }

    /** {@code name=value} for messages. */
    static String show(AttributeProto a) {
        String v = switch (a.getType()) {
            case FLOAT -> Float.toString(a.getF());
            case INT -> Long.toString(a.getI());
            case STRING -> a.getS().toStringUtf8();
            case INTS -> a.getIntsList().toString();
            case FLOATS -> a.getFloatsList().toString();
            default -> a.getType().name().toLowerCase();
        };
        return a.getName() + "=" + v;
    }

    // ---- builders (export, and hand-built test graphs) ----

    static AttributeProto ints(String name, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (int x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }
}
