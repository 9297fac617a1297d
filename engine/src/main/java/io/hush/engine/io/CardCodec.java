package io.hush.engine.io;

import io.hush.engine.ModelCard;
import io.hush.engine.io.proto.InputContract;
import io.hush.engine.io.proto.Metric;
import io.hush.engine.io.proto.Noise;
import io.hush.engine.io.proto.Training;

import java.time.Instant;

/** {@link ModelCard} to and from its {@code hush.format.ModelCard} message. Absent parts read as null. */
final class CardCodec {
    private CardCodec() {}

    static io.hush.engine.io.proto.ModelCard encode(ModelCard c, Instant created, String hushVersion) {
        io.hush.engine.io.proto.ModelCard.Builder b = io.hush.engine.io.proto.ModelCard.newBuilder()
                .setName(c.name())
                .setDescription(c.description())
                .setCreatedUnixMillis(created.toEpochMilli())
                .setHushVersion(hushVersion)
                .putAllExtra(c.extra())
                .setOutput(switch (c.output()) {
                    case UNKNOWN -> io.hush.engine.io.proto.ModelCard.Output.OUTPUT_UNSPECIFIED;
                    case CLEAN -> io.hush.engine.io.proto.ModelCard.Output.CLEAN;
                    case NOISE -> io.hush.engine.io.proto.ModelCard.Output.NOISE;
                });
        ModelCard.InputContract in = c.input();
        if (in != null) {
            b.setInput(InputContract.newBuilder().setChannels(in.channels()).setAnySize(in.anySize())
                    .setHeight(in.height()).setWidth(in.width()).setSizeMultiple(in.sizeMultiple())
                    .setValueMin(in.valueMin()).setValueMax(in.valueMax()).setColorSpace(in.colorSpace()));
        }
        ModelCard.Noise n = c.noise();
        if (n != null) {
            b.setNoise(Noise.newBuilder().setType(n.type()).setSigma(n.sigma()).setSigmaMin(n.sigmaMin())
                    .setSigmaMax(n.sigmaMax()));
        }
        ModelCard.Training t = c.training();
        if (t != null) {
            b.setTraining(Training.newBuilder().setRecipe(t.recipe()).setDataset(t.dataset()).setEpochs(t.epochs())
                    .setSteps(t.steps()).setSeed(t.seed()).setLoss(t.loss()));
        }
        for (ModelCard.Metric m : c.metrics()) {
            b.addMetrics(Metric.newBuilder().setName(m.name()).setDataset(m.dataset()).setSigma(m.sigma())
                    .setValue(m.value()));
        }
        return b.build();
    }

    static ModelCard decode(io.hush.engine.io.proto.ModelCard p) {
        ModelCard c = new ModelCard().name(p.getName()).description(p.getDescription())
                .hushVersion(p.getHushVersion())
                .created(p.getCreatedUnixMillis() == 0 ? null : Instant.ofEpochMilli(p.getCreatedUnixMillis()));
        c.extra().putAll(p.getExtraMap());
        c.output(switch (p.getOutput()) {
            case CLEAN -> ModelCard.Output.CLEAN;
            case NOISE -> ModelCard.Output.NOISE;
            case OUTPUT_UNSPECIFIED, UNRECOGNIZED -> ModelCard.Output.UNKNOWN; // a newer kind: as if unrecorded
        });
        if (p.hasInput()) {
            InputContract i = p.getInput();
            c.input(new ModelCard.InputContract(i.getChannels(), i.getAnySize(), i.getHeight(), i.getWidth(),
                    i.getSizeMultiple(), i.getValueMin(), i.getValueMax(), i.getColorSpace()));
        }
        if (p.hasNoise()) {
            Noise n = p.getNoise();
            c.noise(new ModelCard.Noise(n.getType(), n.getSigma(), n.getSigmaMin(), n.getSigmaMax()));
        }
        if (p.hasTraining()) {
            Training t = p.getTraining();
            c.training(new ModelCard.Training(t.getRecipe(), t.getDataset(), t.getEpochs(), t.getSteps(), t.getSeed(),
                    t.getLoss()));
        }
        for (Metric m : p.getMetricsList()) {
            c.metric(new ModelCard.Metric(m.getName(), m.getDataset(), m.getSigma(), m.getValue()));
        }
        return c;
    }
}
