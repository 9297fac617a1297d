package io.hush.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Set;
import java.util.UUID;

/**
 * Files through Hadoop's {@link FileSystem}, so that output folders may be local, {@code hdfs://}, {@code s3a://}
 * or whatever the cluster provides. Local folders are written through the raw file system (no {@code .crc} files
 * beside each picture).
 */
final class HadoopFiles {
    /** Schemes whose rename is a cheap metadata operation: write a hidden temporary file and rename it into place. */
    private static final Set<String> RENAMING = Set.of("file", "hdfs", "viewfs");

    private HadoopFiles() {}

    /** The file system of {@code p}: the raw one for local paths. */
    static FileSystem fs(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    /**
     * Writes {@code bytes} to {@code dst} (creating its folders), replacing any file there. Where renames are cheap
     * the data go to a hidden temporary file beside it first, so a reader never sees half a picture; object stores
     * publish an object only when it is closed anyway.
     */
    static void write(Path dst, byte[] bytes, Configuration conf) throws IOException {
        FileSystem fs = fs(dst, conf);
        boolean rename = RENAMING.contains(fs.getUri().getScheme());
        Path target = rename ? new Path(dst.getParent(), "." + dst.getName() + "." + UUID.randomUUID() + ".tmp") : dst;
        try (FSDataOutputStream out = fs.create(target, true)) {
            out.write(bytes);
        }
        if (!rename) return;
        if (!fs.rename(target, dst)) {
            fs.delete(dst, false); // HDFS does not rename over an existing file
            if (!fs.rename(target, dst)) {
                fs.delete(target, false);
                throw new IOException("cannot move the result into place");
            }
        }
    }

    /** A Hadoop configuration that can travel to the executors (with the driver's s3a keys, fs settings...). */
    static final class Conf implements Serializable {
        @Serial private static final long serialVersionUID = 1L;
        private transient Configuration conf;

        Conf(Configuration conf) { this.conf = conf; }

        Configuration get() { return conf; }

        @Serial
        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }
}
