package dev.oomguard.compression;

/**
 * Run in a forked JVM by {@link LibdeflateLoadingTest}: asks for the engine twice (it must load, or
 * fail to load, once), tries to use it, and prints what happened as {@code key=value} lines.
 */
final class LibdeflateProbe {
  private LibdeflateProbe() {}

  public static void main(String[] args) {
    boolean first = Libdeflate.isAvailable();
    boolean second = Libdeflate.isAvailable();
    System.out.println("available=" + first);
    System.out.println("stable=" + (first == second));
    System.out.println("reason=" + Libdeflate.unavailableReason());
    try (LibdeflateCompressor compressor = new LibdeflateCompressor(6);
        LibdeflateDecompressor decompressor = new LibdeflateDecompressor()) {
      byte[] text = LeakWorkload.text(10_000);
      byte[] deflate = compressor.compress(text, 0, text.length, 0, 0);
      byte[] back = new byte[text.length];
      int size = decompressor.decompress(deflate, 0, deflate.length, back, 0, back.length);
      System.out.println(
          "roundTrip=" + (size == text.length && java.util.Arrays.equals(back, text)));
    } catch (IllegalStateException e) {
      System.out.println("use=" + e.getMessage());
    }
    System.out.flush();
  }
}
