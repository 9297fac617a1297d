package io.hush.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws the demo's sample images (made here, procedurally, with Java2D: shapes, gradients, text, textures) into
 * {@code cli/src/main/resources/demo/}. The PNGs are committed; run this only to change them:
 * <pre>java -cp trainer/target/hush.jar io.hush.cli.DemoSamples cli/src/main/resources/demo</pre>
 */
public final class DemoSamples {
    /** Side of every sample: small, so the demo takes seconds. */
    static final int SIZE = 160;
    /** Sample names in the order the demo shows them. */
    static final String[] NAMES = {"shapes.png", "texture.png", "color.png"};

    private DemoSamples() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "cli/src/main/resources/demo");
        Files.createDirectories(dir);
        write(shapes(), dir.resolve(NAMES[0]));
        write(texture(), dir.resolve(NAMES[1]));
        write(color(), dir.resolve(NAMES[2]));
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
        System.out.println(file + " " + img.getWidth() + "x" + img.getHeight());
    }

    private static Graphics2D smooth(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    /** Gray: a gradient sky, flat shapes with sharp edges, thin lines and text (edges denoisers must keep). */
    static BufferedImage shapes() {
        int s = SIZE;
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = smooth(img);
        g.setPaint(new GradientPaint(0, 0, new Color(40, 40, 40), 0, s, new Color(200, 200, 200)));
        g.fillRect(0, 0, s, s);
        g.setColor(new Color(235, 235, 235));
        g.fill(new Ellipse2D.Double(s * 0.08, s * 0.10, s * 0.36, s * 0.36));
        g.setColor(new Color(90, 90, 90));
        g.fill(new RoundRectangle2D.Double(s * 0.52, s * 0.14, s * 0.38, s * 0.28, 12, 12));
        g.setColor(new Color(20, 20, 20));
        g.fillPolygon(new Polygon(new int[] {s / 10, s / 2, s * 9 / 10}, new int[] {s * 9 / 10, s / 2, s * 9 / 10}, 3));
        g.setColor(new Color(250, 250, 250));
        g.setStroke(new BasicStroke(1.2f));
        for (int i = 0; i < 6; i++) g.drawLine(s * 6 / 10, s / 2 + i * 4, s * 95 / 100, s / 2 + i * 4 + 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, s / 7));
        g.setColor(new Color(255, 255, 255));
        g.drawString("Hush", s * 30 / 100, s * 85 / 100);
        g.dispose();
        return img;
    }

    /** Gray: fine and coarse periodic textures next to smooth areas (detail a denoiser may smear). */
    static BufferedImage texture() {
        int s = SIZE;
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_BYTE_GRAY);
        var r = img.getRaster();
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                double v;
                if (y < s / 2 && x < s / 2) v = 0.5 + 0.35 * Math.sin(x * 0.55) * Math.sin(y * 0.2);      // fine waves
                else if (y < s / 2) v = ((x / 8 + y / 8) % 2 == 0) ? 0.8 : 0.25;                         // checkerboard
                else if (x < s / 2) v = 0.5 + 0.4 * Math.cos(Math.hypot(x - s / 4.0, y - s * 0.75) * 0.45); // rings
                else v = 0.15 + 0.7 * (x - s / 2.0) / (s / 2.0);                                          // ramp
                r.setSample(x, y, 0, (int) Math.round(Math.clamp(v, 0, 1) * 255));
            }
        }
        return img;
    }

    /** RGB: coloured shapes on a radial gradient (a gray model denoises each channel). */
    static BufferedImage color() {
        int s = SIZE;
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = smooth(img);
        g.setPaint(new RadialGradientPaint(s * 0.3f, s * 0.3f, s * 0.9f, new float[] {0f, 1f},
                new Color[] {new Color(255, 230, 170), new Color(40, 70, 140)}));
        g.fillRect(0, 0, s, s);
        g.setColor(new Color(200, 40, 40));
        g.fill(new Ellipse2D.Double(s * 0.1, s * 0.45, s * 0.4, s * 0.4));
        g.setColor(new Color(40, 160, 70));
        g.fillRect(s * 55 / 100, s * 50 / 100, s * 35 / 100, s * 35 / 100);
        g.setColor(new Color(250, 250, 250));
        g.setFont(new Font(Font.SERIF, Font.ITALIC, s / 8));
        g.drawString("denoise", s * 12 / 100, s * 25 / 100);
        g.dispose();
        return img;
    }
}
