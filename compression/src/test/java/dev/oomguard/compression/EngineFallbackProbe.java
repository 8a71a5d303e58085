package dev.oomguard.compression;

import java.util.List;

/**
 * Run in a forked JVM by {@link GzipCodecEngineTest}: builds a codec on the default engine, runs
 * {@link EngineOutcomes} through it, tries to insist on libdeflate, and prints {@code key=value}
 * lines.
 */
final class EngineFallbackProbe {
  private EngineFallbackProbe() {}

  public static void main(String[] args) {
    try (GzipCodec codec = EngineOutcomes.codec().build()) {
      List<String> outcomes = EngineOutcomes.of(codec);
      System.out.println("engine=" + codec.engine());
      System.out.println("outcomes=" + outcomes.size());
      System.out.println("digest=" + EngineOutcomes.digest(outcomes));
      System.out.println("handlesLeft=" + codec.nativeHandlesInUse());
    }
    try (GzipCodec forced = GzipCodec.builder().engine(GzipCodec.Engine.LIBDEFLATE).build()) {
      System.out.println("forced=" + forced.engine());
    } catch (IllegalStateException e) {
      System.out.println("forced=" + e.getMessage());
    }
    System.out.flush();
  }
}
