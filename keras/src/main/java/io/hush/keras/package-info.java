/**
 * Keras import: {@link io.hush.keras.KerasImporter} reads {@code .keras} and {@code .h5} models as Hush models in pure
 * Java (HDF5 through jhdf), and registers itself as an {@link io.hush.engine.io.ModelImporter} so that
 * {@link io.hush.engine.io.ModelImporters} finds it by file extension.
 */
package io.hush.keras;
