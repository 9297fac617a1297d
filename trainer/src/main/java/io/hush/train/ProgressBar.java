package io.hush.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Terminal progress: on a console a bar redrawn in place with {@code \r} (epoch, batch, loss, images/s, ETA of the
 * epoch); otherwise (output piped or logged, {@code System.console() == null}) plain lines, about every 10% of an
 * epoch. Either way one summary line per epoch with the validation metrics.
 */
public final class ProgressBar implements Callback {
    private final PrintStream out;
    private final boolean tty;
    private long epochStart, lastDraw;
    private int startBatch;
    private int lastDecile;

    public ProgressBar() { this(System.out, System.console() != null); }

    public ProgressBar(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    @Override
    public void onTrainBegin(Trainer t) {
        out.println("training: " + t.describe() + (t.history().isEmpty() ? "" : " (resumed after epoch " + t.history().size() + ")"));
    }

    @Override
    public void onEpochBegin(Trainer t, int epoch) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        lastDecile = -1;
        startBatch = -1;
    }

    @Override
    public void onBatchEnd(Trainer t, int epoch, int batch, double loss) {
        if (startBatch < 0) startBatch = batch;
        long now = System.nanoTime();
        int total = t.batches();
        boolean last = batch == total - 1;
        double secs = (now - epochStart) / 1e9;
        int done = batch - startBatch + 1;
        double perBatch = secs / done;
        double eta = perBatch * (total - batch - 1);
        double ips = t.samplesSeen() / Math.max(secs, 1e-9) * ((double) done / Math.max(1, batch + 1));
        if (tty) {
            if (!last && now - lastDraw < 100_000_000L) return; // redraw at most 10 times a second
            lastDraw = now;
            int width = 30;
            int filled = (int) ((long) width * (batch + 1) / total);
            out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d loss %.5f %.0f img/s ETA %s   ",
                    epoch + 1, t.epochs(), "=".repeat(filled), " ".repeat(width - filled), batch + 1, total,
                    t.runningLoss(), ips, time(eta)));
            if (last) out.print("\r" + " ".repeat(110) + "\r");
            out.flush();
        } else {
            int decile = (int) (10L * (batch + 1) / total);
            if (decile == lastDecile || last) return;
            lastDecile = decile;
            out.println(String.format(Locale.ROOT, "epoch %d/%d batch %d/%d loss %.5f %.0f img/s ETA %s",
                    epoch + 1, t.epochs(), batch + 1, total, t.runningLoss(), ips, time(eta)));
        }
    }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, t.epochs()));
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getKey().equals("epoch")) continue;
            sb.append(' ').append(e.getKey()).append(' ').append(format(e.getKey(), e.getValue()));
        }
        out.println(sb);
    }

    static String format(String key, double v) {
        if (key.contains("psnr")) return String.format(Locale.ROOT, "%.2f", v);
        if (key.equals("seconds")) return String.format(Locale.ROOT, "%.1f", v);
        if (key.equals("lr")) return String.format(Locale.ROOT, "%.3g", v);
        return String.format(Locale.ROOT, "%.5f", v);
    }

    static String time(double s) {
        if (!Double.isFinite(s)) return "?";
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
