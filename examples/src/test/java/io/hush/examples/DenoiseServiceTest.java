package io.hush.examples;

import io.hush.denoise.Denoiser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/** The example service over real HTTP on the loopback interface, with the repository's default model. */
class DenoiseServiceTest {
    static Denoiser denoiser;
    static DenoiseService service;
    static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        denoiser = Denoiser.open(Path.of(System.getProperty("hush.weights", "../weights"), "gray-blind.hush"));
        service = DenoiseService.start(denoiser, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8,
                200_000, 4 << 20);
        client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
    }

    @AfterAll
    static void stop() {
        service.close();
        denoiser.close();
    }

    static HttpResponse<byte[]> post(byte[] body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/denoise"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A noisy test picture: gray or RGB, with a size that varies by seed. */
    static byte[] png(int seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int w = 24 + 8 * (seed % 4), h = 20 + 6 * (seed % 3);
        boolean rgb = seed % 2 == 0;
        BufferedImage img = new BufferedImage(w, h, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = (x * 255 / w + y * 128 / h) / 2;
                int v = Math.clamp(base + (int) (r.nextGaussian() * 25), 0, 255);
                int g = Math.clamp(base + (int) (r.nextGaussian() * 25), 0, 255);
                int b = Math.clamp(255 - base + (int) (r.nextGaussian() * 25), 0, 255);
                if (rgb) img.setRGB(x, y, v << 16 | g << 8 | b);
                else img.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void twoHundredRequestsFromEightThreadsEqualTheSerialResults() throws Exception {
        int distinct = 12;
        byte[][] inputs = new byte[distinct][];
        int[][] serial = new int[distinct][];
        for (int i = 0; i < distinct; i++) {
            inputs[i] = png(i);
            // the serial reference: the same denoiser called directly, one image at a time
            serial[i] = pixels(denoiser.denoise(ImageIO.read(new ByteArrayInputStream(inputs[i]))));
        }
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> answers = new ArrayList<>();
            for (int k = 0; k < 200; k++) {
                int i = k % distinct;
                answers.add(clients.submit(() -> {
                    HttpResponse<byte[]> res = post(inputs[i]);
                    assertEquals(200, res.statusCode(), () -> new String(res.body()));
                    assertEquals("image/png", res.headers().firstValue("Content-Type").orElse(""));
                    return pixels(ImageIO.read(new ByteArrayInputStream(res.body())));
                }));
            }
            for (int k = 0; k < answers.size(); k++) {
                assertArrayEquals(serial[k % distinct], answers.get(k).get(), "request " + k);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void emptyBodyIs400() throws Exception {
        HttpResponse<byte[]> r = post(new byte[0]);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body()).startsWith("empty body"));
    }

    @Test
    void bodyThatIsNoImageIs415WithoutAStackTrace() throws Exception {
        HttpResponse<byte[]> r = post("hello, this is not a picture".getBytes());
        assertEquals(415, r.statusCode());
        String text = new String(r.body());
        assertFalse(text.contains("Exception") || text.contains("\tat "), text);
        // a PNG cut in half: the header decodes, the pixels do not
        byte[] full = png(3);
        byte[] half = java.util.Arrays.copyOf(full, full.length / 2);
        HttpResponse<byte[]> t = post(half);
        assertEquals(415, t.statusCode(), new String(t.body()));
    }

    @Test
    void imageOverThePixelLimitIs413BeforeDecoding() throws Exception {
        // a 57-byte PNG whose header claims 100000 x 100000 pixels
        HttpResponse<byte[]> r = post(pngHeaderOnly(100_000, 100_000));
        assertEquals(413, r.statusCode());
        assertTrue(new String(r.body()).contains("100000x100000"), new String(r.body()));
        // over the byte limit (4 MiB in this test)
        HttpResponse<byte[]> big = post(new byte[5 << 20]);
        assertEquals(413, big.statusCode());
    }

    @Test
    void getIs405() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/denoise")).GET().build();
        assertEquals(405, client.send(req, HttpResponse.BodyHandlers.ofByteArray()).statusCode());
    }

    static int[] pixels(BufferedImage img) {
        assertNotNull(img);
        return img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
    }

    /** PNG signature, an IHDR chunk (8-bit gray) and IEND: a valid header with no pixel data. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(b, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    static void chunk(ByteBuffer b, String type, byte[] data) {
        b.putInt(data.length);
        byte[] t = type.getBytes();
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
    }
}
