package io.hush.spark;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output names, paths shown to users, CSV quoting and the ordered parallel map: no Spark needed. */
class ArchiveNamesTest {
    @Test
    void outputNamesAreRelativeToTheDeepestRootWithPngExtension() {
        List<String> roots = List.of("file:/data/scans", "file:/data/scans/2024", "hdfs://nn:8020/archive/");
        assertEquals("a.png", ArchiveJob.outputName("file:/data/scans/a.tif", roots));
        assertEquals("box 1/a.b.png", ArchiveJob.outputName("file:/data/scans/box 1/a.b.jpg", roots));
        assertEquals("jan/x.png", ArchiveJob.outputName("file:/data/scans/2024/jan/x.PNG", roots));
        assertEquals("y/z.png", ArchiveJob.outputName("hdfs://nn:8020/archive/y/z.pgm", roots));
        assertEquals("noext.png", ArchiveJob.outputName("file:/data/scans/noext", roots));
        assertEquals("other.png", ArchiveJob.outputName("file:/elsewhere/other.png", roots), "outside every root");
        assertEquals("scansX.png", ArchiveJob.outputName("file:/data/scansX.png", List.of("file:/data/scans",
                "file:/data")), "a root is a folder, not a string prefix");
    }

    @Test
    void localPathsAreShownWithoutTheScheme() {
        assertEquals("/tmp/a b.png", ArchiveJob.display("file:/tmp/a b.png"));
        assertEquals("/tmp/x.png", ArchiveJob.display("file:///tmp/x.png"));
        assertEquals("s3a://bucket/x.png", ArchiveJob.display("s3a://bucket/x.png"));
    }

    @Test
    void globBaseIsTheFolderBeforeTheFirstWildcard() {
        assertEquals(new Path("s3a://b/scans/2024"), ArchiveJob.globBase(new Path("s3a://b/scans/2024/*.tif")));
        assertEquals(new Path("file:/d"), ArchiveJob.globBase(new Path("file:/d/*/x/*.png")));
        assertTrue(ArchiveJob.isGlob("a/{b,c}.png"));
    }

    @Test
    void csvQuotesEveryField() {
        assertEquals("\"/x/a,\"\"b\"\".png\",\"bad; \"\"really\"\"\"\n",
                ArchiveJob.csvLine(new ArchiveJob.Failure("/x/a,\"b\".png", "bad; \"really\"")));
    }

    @Test
    void imageGlobMatchesEitherCase() {
        org.apache.hadoop.fs.GlobPattern g = new org.apache.hadoop.fs.GlobPattern(HushSpark.IMAGE_GLOB);
        for (String ok : List.of("a.png", "B.JPG", "c.Jpeg", "d.tif", "e.TIFF", "f.pgm")) assertTrue(g.matches(ok), ok);
        for (String no : List.of("a.txt", "png", "a.png.bak", "a.hush")) assertTrue(!g.matches(no), no);
    }

    @Test
    void orderedParallelKeepsOrderAndBoundsTheWindow() {
        List<Integer> in = IntStream.range(0, 200).boxed().toList();
        java.util.Iterator<Integer> source = in.iterator();
        int[] read = {0};
        java.util.Iterator<Integer> counting = new java.util.Iterator<>() {
            @Override public boolean hasNext() { return source.hasNext(); }

            @Override public Integer next() {
                read[0]++;
                return source.next();
            }
        };
        List<Integer> out = new ArrayList<>();
        try (OrderedParallel<Integer, Integer> it = new OrderedParallel<>(counting, i -> {
            try {
                Thread.sleep((i * 7) % 3); // finish out of order
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return i * 2;
        }, 4)) {
            while (it.hasNext()) {
                out.add(it.next());
                assertTrue(read[0] - out.size() < 8, "at most 2 x 4 threads in flight, saw " + (read[0] - out.size()));
            }
        }
        assertEquals(in.stream().map(i -> i * 2).toList(), out);
    }

    @Test
    void orderedParallelPassesFailuresOn() {
        OrderedParallel<Integer, Integer> it = new OrderedParallel<>(List.of(1, 2, 3).iterator(), i -> {
            if (i == 2) throw new IllegalArgumentException("two");
            return i;
        }, 2);
        assertEquals(1, it.next());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
        assertEquals("two", e.getMessage());
    }
}
