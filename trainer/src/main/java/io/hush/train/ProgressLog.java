package io.hush.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress on the console: on a terminal a {@link ProgressBar} per epoch (batch, loss, images/s); otherwise
 * (output piped or logged, {@code System.console() == null}) plain lines, about every 10% of an epoch. Either way one
 * summary line per epoch with the validation metrics.
 */
public final class ProgressLog implements Callback {
    private final PrintStream out;
    private final PrintWriter bars;
    private final boolean tty;
    private ProgressBar bar;
    private long epochStart;
    private int startBatch;
    private int lastDecile;

    /** On {@code System.out}, with a bar when there is a console. */
    public ProgressLog() { this(System.out, System.console() != null); }

    /** On {@code out}; {@code tty} draws a bar, otherwise plain lines. */
    public ProgressLog(PrintStream out, boolean tty) {
        this.out = out;
        this.bars = new PrintWriter(out);
        this.tty = tty;
    }

    @Override
    public void onTrainBegin(Trainer t) {
        out.println("training: " + t.describe() + (t.history().isEmpty() ? "" : " (resumed after epoch " + t.history().size() + ")"));
    }

    @Override
    public void onEpochBegin(Trainer t, int epoch) {
        epochStart = System.nanoTime();
        lastDecile = -1;
        startBatch = -1;
        bar = new ProgressBar(bars, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, t.epochs()), t.batches(), tty);
    }

    @Override
    public void onBatchEnd(Trainer t, int epoch, int batch, double loss) {
        if (startBatch < 0) startBatch = batch;
        int total = t.batches();
        boolean last = batch == total - 1;
        double secs = (System.nanoTime() - epochStart) / 1e9;
        int done = batch - startBatch + 1;
        double ips = t.samplesSeen() / Math.max(secs, 1e-9) * ((double) done / Math.max(1, batch + 1));
        if (tty) {
            bar.update(batch + 1, String.format(Locale.ROOT, "%d/%d loss %.5f %.0f img/s", batch + 1, total, t.runningLoss(), ips));
            if (last) bar.close();
        } else {
            int decile = (int) (10L * (batch + 1) / total);
            if (decile == lastDecile || last) return;
            lastDecile = decile;
            double eta = secs / done * (total - batch - 1);
            out.println(String.format(Locale.ROOT, "epoch %d/%d batch %d/%d loss %.5f %.0f img/s ETA %s",
                    epoch + 1, t.epochs(), batch + 1, total, t.runningLoss(), ips, ProgressBar.time(eta)));
        }
    }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        if (bar != null) bar.close();
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
}
