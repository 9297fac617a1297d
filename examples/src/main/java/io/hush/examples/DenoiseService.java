package io.hush.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hush.denoise.Denoiser;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP denoising service on the JDK's own server ({@code com.sun.net.httpserver}): {@code POST /denoise}
 * with an image body (PNG, JPEG, BMP, GIF, TIFF) answers with the denoised PNG.
 *
 * <table>
 *   <caption>Responses</caption>
 *   <tr><td>200</td><td>{@code image/png}: the denoised image, same size, bit depth and alpha</td></tr>
 *   <tr><td>400</td><td>empty body</td></tr>
 *   <tr><td>405</td><td>anything but POST</td></tr>
 *   <tr><td>413</td><td>a body over the byte limit, or an image whose header claims more pixels than the limit
 *       (checked before decoding, so a small "pixel bomb" never allocates its claimed size)</td></tr>
 *   <tr><td>415</td><td>a body that does not decode as an image</td></tr>
 *   <tr><td>500</td><td>anything else, as one line of text: never a stack trace to the client</td></tr>
 * </table>
 *
 * One {@link Denoiser} is shared by every request thread: its {@code denoise} is thread-safe and gives each request
 * the result a serial call would.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp ... \
 *      io.hush.examples.DenoiseService weights/gray-blind.hush 8080
 * curl --data-binary @noisy.png -o clean.png http://localhost:8080/denoise
 * </pre>
 */
public final class DenoiseService implements AutoCloseable {
    /** Default limits: 40 megapixels, 64 MiB of body. */
    public static final long MAX_PIXELS = 40_000_000L, MAX_BYTES = 64L << 20;

    private final HttpServer server;
    private final ExecutorService workers;
    private final Denoiser denoiser;
    private final long maxPixels, maxBytes;

    private DenoiseService(Denoiser denoiser, InetSocketAddress address, int threads, long maxPixels, long maxBytes)
            throws IOException {
        this.denoiser = denoiser;
        this.maxPixels = maxPixels;
        this.maxBytes = maxBytes;
        this.server = HttpServer.create(address, 64);
        this.workers = Executors.newFixedThreadPool(threads);
        server.setExecutor(workers);
        server.createContext("/denoise", this::handle);
        server.start();
    }

    /**
     * Starts serving {@code denoiser} (not closed by {@link #close}) on {@code address} (port 0: any free port) with
     * {@code threads} request threads and the given limits.
     */
    public static DenoiseService start(Denoiser denoiser, InetSocketAddress address, int threads, long maxPixels,
                                       long maxBytes) throws IOException {
        return new DenoiseService(denoiser, address, threads, maxPixels, maxBytes);
    }

    /** The port it listens on. */
    public int port() { return server.getAddress().getPort(); }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                text(ex, 405, "POST an image to /denoise");
                return;
            }
            byte[] body = readLimited(ex.getRequestBody(), maxBytes);
            if (body == null) {
                text(ex, 413, "request body over " + maxBytes + " bytes");
                return;
            }
            if (body.length == 0) {
                text(ex, 400, "empty body: POST the bytes of an image");
                return;
            }
            long[] size = headerSize(body);
            if (size == null) {
                text(ex, 415, "the body is not an image in a supported format (PNG, JPEG, BMP, GIF, TIFF)");
                return;
            }
            if (size[0] * size[1] > maxPixels) {
                text(ex, 413, "image of " + size[0] + "x" + size[1] + " pixels is over the limit of " + maxPixels + " pixels");
                return;
            }
            BufferedImage img;
            try {
                img = ImageIO.read(new ByteArrayInputStream(body));
            } catch (IOException | RuntimeException e) {
                img = null;
            }
            if (img == null) {
                text(ex, 415, "the image does not decode (truncated or corrupt)");
                return;
            }
            BufferedImage clean;
            try {
                clean = denoiser.denoise(img);
            } catch (IllegalArgumentException e) {
                text(ex, 415, oneLine(e.getMessage()));
                return;
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(clean, "png", png);
            ex.getResponseHeaders().set("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.size());
            try (OutputStream out = ex.getResponseBody()) {
                png.writeTo(out);
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            try {
                text(ex, 500, "could not denoise: " + oneLine(String.valueOf(e.getMessage())));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or client gone
            }
        }
    }

    /** The body, or null when it is longer than {@code limit}. */
    private static byte[] readLimited(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit) return null;
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Width and height from the image header (no pixels decoded), or null if no reader recognises the bytes. */
    private static long[] headerSize(byte[] body) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(body))) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) return null;
            ImageReader r = it.next();
            try {
                r.setInput(in, true, true);
                return new long[] {r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** {@code DenoiseService MODEL [PORT]}: serves until the process is stopped. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: DenoiseService MODEL [PORT]");
            System.exit(2);
        }
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        Denoiser d = Denoiser.open(Path.of(args[0]));
        DenoiseService s = start(d, new InetSocketAddress(port), Runtime.getRuntime().availableProcessors() * 2,
                MAX_PIXELS, MAX_BYTES);
        System.out.println("denoising on http://localhost:" + s.port() + "/denoise with " + d.name());
    }
}
