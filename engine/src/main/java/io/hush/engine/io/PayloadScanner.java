package io.hush.engine.io;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import io.hush.engine.io.proto.HushModel;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds what parsing a payload will allocate, before parsing it. Protobuf turns a 2-byte empty sub-message into an
 * object of a hundred bytes or more, so a file of millions of empty nodes, tensors or metrics would exhaust the heap
 * long before {@link ModelDecoder}'s own limits are checked. This walks the wire format against the schema (no
 * objects made) and refuses a payload in which any repeated field repeats more than {@link #MAX_REPEATED} times in
 * one message, or that holds more than {@link #MAX_MESSAGES} messages or {@link #MAX_SCALARS} repeated numbers in
 * all. Malformed wire data is left for the parser to report.
 */
final class PayloadScanner {
    static final int MAX_REPEATED = ModelDecoder.MAX_NODES;
    static final int MAX_MESSAGES = 200_000;
    static final long MAX_SCALARS = 1_000_000;
    private static final int MAX_DEPTH = 16;

    private int messages;
    private long scalars;

    private PayloadScanner() {}

    /** Throws a {@link ModelFormatException} naming the field that is too large; IOException for malformed data. */
    static void scan(byte[] payload) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(payload);
        in.setRecursionLimit(HushFormat.RECURSION_LIMIT);
        new PayloadScanner().message(in, HushModel.getDescriptor(), 0);
    }

    private void message(CodedInputStream in, Descriptor d, int depth) throws IOException {
        if (depth > MAX_DEPTH) throw new ModelFormatException("payload: messages nested deeper than " + MAX_DEPTH);
        Map<Integer, Integer> counts = new HashMap<>();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) return;
            FieldDescriptor f = d.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            int wire = WireFormat.getTagWireType(tag);
            if (f == null) { // unknown field (a newer writer): skipped here, discarded by the parser
                if (!in.skipField(tag)) return;
                continue;
            }
            if (f.isRepeated() && counts.merge(f.getNumber(), 1, Integer::sum) > MAX_REPEATED) {
                throw new ModelFormatException("payload: " + f.getFullName() + " repeats more than " + MAX_REPEATED + " times");
            }
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                if (++messages > MAX_MESSAGES) {
                    throw new ModelFormatException("payload: more than " + MAX_MESSAGES + " messages (at " + f.getFullName() + ")");
                }
                int len = in.readRawVarint32();
                int old = in.pushLimit(len); // throws for a negative or overlong length
                message(in, f.getMessageType(), depth + 1);
                in.popLimit(old);
            } else if (f.isRepeated() && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED && f.getJavaType() != FieldDescriptor.JavaType.STRING
                    && f.getJavaType() != FieldDescriptor.JavaType.BYTE_STRING) {
                int len = in.readRawVarint32(); // packed numbers: at most one per byte
                if (len < 0) return; // the parser reports it
                scalars += len;
                if (scalars > MAX_SCALARS) {
                    throw new ModelFormatException("payload: more than " + MAX_SCALARS + " repeated numbers (at " + f.getFullName() + ")");
                }
                in.skipRawBytes(len);
            } else {
                if (f.isRepeated() && ++scalars > MAX_SCALARS) {
                    throw new ModelFormatException("payload: more than " + MAX_SCALARS + " repeated numbers (at " + f.getFullName() + ")");
                }
                if (!in.skipField(tag)) return;
            }
        }
    }
}
