package dev.oomguard.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The codec against the gzip that the world writes and reads: the real {@code gzip} tool (which
 * must be on the PATH; a missing tool fails these tests, it does not skip them) and {@code
 * java.util.zip}. Hand-crafted members cover every RFC 1952 header flag; {@code gzip -t} accepting
 * them proves the crafting right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@ParameterizedClass(name = "engine={0}")
@EnumSource(names = {"JDK", "LIBDEFLATE"})
class GzipInteropTest {
  private static final int FTEXT = 0x01;
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final int EVERY_FLAG = FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT;
  private static final int MIB = 1024 * 1024;

  private final GzipCodec.Engine engine;
  private final GzipCodec codec;

  GzipInteropTest(GzipCodec.Engine engine) {
    this.engine = engine;
    this.codec = GzipCodec.builder().engine(engine).poolSize(2).build();
  }

  @BeforeParameterizedClassInvocation
  static void engineUsable(GzipCodec.Engine engine) {
    NativeEngine.assumeUsable(engine);
  }

  @TempDir Path dir;

  private int files;

  @AfterEach
  void everyHandleGoesBack() {
    try {
      assertThat(codec.nativeHandlesInUse()).as("handles still lent out").isZero();
    } finally {
      codec.close();
    }
    assertThat(codec.nativeHandlesEnded())
        .as("handles ended after close()")
        .isEqualTo(codec.nativeHandlesCreated());
  }

  // ---- codec output read by the gzip tool ----

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4_096, 300_000, 3 * MIB})
  void gzipDc_readsCodecOutput_ofEverySize(int size) throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(size, size);

    byte[] out = gzipOk(null, "-dc", write(codec.compress(text)));

    assertThat(out).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4_096, 300_000, 3 * MIB})
  void gzipT_acceptsCodecOutput_ofEverySize(int size) throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(size, size);

    ToolRun run = gzip(null, "-t", write(codec.compress(text)));

    assertThat(run.exitCode).as("gzip -t exit code; stderr: %s", run.stderr).isZero();
    assertThat(run.stderr).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, 9})
  void gzipDc_readsCodecOutput_ofMixedTextAndRandomBytes_atLevel(int level) throws Exception {
    byte[] mixed =
        concat(
            GzipCodecRoundTripTest.text(400_000, level),
            GzipCodecRoundTripTest.random(300_000, level));
    try (GzipCodec atLevel = GzipCodec.builder().engine(engine).level(level).poolSize(1).build()) {
      byte[] out = gzipOk(null, "-dc", write(atLevel.compress(mixed)));

      assertThat(out).isEqualTo(mixed);
    }
  }

  @Test
  void gzipDc_readsCodecStreamOutput_writtenInUnevenChunks() throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(2 * MIB, 21);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = codec.compressingStream(sink)) {
      for (int i = 0, chunk = 1; i < text.length; i += chunk, chunk = chunk * 3 % 65_521 + 1) {
        out.write(text, i, Math.min(chunk, text.length - i));
      }
    }

    assertThat(gzipOk(null, "-dc", write(sink.toByteArray()))).isEqualTo(text);
  }

  @Test
  void gzipDc_readsCodecStreamOutput_ofLargeWritesBetweenSmallOnes_asSmallAsOneShotCompression()
      throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(3 * MIB, 22);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = codec.compressingStream(sink)) {
      int i = 0;
      for (int large : new int[] {200_000, 65_536, 1_000_000, 70_000}) {
        for (int b = 0; b < 1_000; b++) {
          out.write(text[i++]); // byte at a time: buffered
        }
        out.write(
            text, i, large); // compressed straight from this array, the buffer's tail as dictionary
        i += large;
      }
      out.write(text, i, text.length - i);
    }

    assertThat(gzipOk(null, "-dc", write(sink.toByteArray()))).isEqualTo(text);
    assertThat((double) sink.size())
        .as("chunked stream output against one-shot compress()")
        .isLessThan(codec.compress(text).length * 1.01);
  }

  @Test
  void gzipDc_acceptsZeroPaddingAfterTheLastMember_asTheCodecDoes() throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(10_000, 23);
    byte[] padded = concat(codec.compress(text), new byte[10 * 1024]);

    assertThat(gzipOk(null, "-dc", write(padded))).isEqualTo(text);
    assertThat(codec.decompress(padded)).isEqualTo(text);
  }

  // ---- gzip tool output read by the codec ----

  @ParameterizedTest
  @ValueSource(strings = {"-1", "-9"})
  void decompress_readsGzipToolOutput_atLevel(String level) throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(2 * MIB, 22);

    byte[] gzip = gzipOk(write(text), "-c", "-n", level);

    assertThat(codec.decompress(gzip)).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "-9"})
  void decompressingStream_readsGzipToolOutput_atLevel(String level) throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(2 * MIB, 23);

    byte[] gzip = gzipOk(write(text), "-c", "-n", level);

    assertThat(readAll(codec.decompressingStream(new ByteArrayInputStream(gzip)))).isEqualTo(text);
  }

  @Test
  void decompress_readsGzipToolFileWithStoredName() throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(50_000, 24);
    byte[] gzip = gzipFileWithName("device-report.json", text);

    assertThat(codec.decompress(gzip)).isEqualTo(text);
  }

  @Test
  void decompressingStream_readsGzipToolFileWithStoredName_deliveredInTinyReads() throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(50_000, 25);
    byte[] gzip = gzipFileWithName("device-report.json", text);

    assertThat(readAll(codec.decompressingStream(new Trickle(new ByteArrayInputStream(gzip), 7))))
        .isEqualTo(text);
  }

  // ---- multi-member ----

  @Test
  void decompress_readsConcatenatedGzipToolMembers() throws Exception {
    byte[] a = GzipCodecRoundTripTest.text(100_000, 26);
    byte[] b = GzipCodecRoundTripTest.random(70_000, 27);

    byte[] gzip =
        concat(gzipToolFileMember("a.txt", a, "-9"), gzipToolFileMember("b.bin", b, "-1"));

    assertThat(codec.decompress(gzip)).isEqualTo(concat(a, b));
  }

  @Test
  void decompressingStream_readsConcatenatedGzipToolMembers() throws Exception {
    byte[] a = GzipCodecRoundTripTest.text(100_000, 28);
    byte[] b = GzipCodecRoundTripTest.random(70_000, 29);

    byte[] gzip =
        concat(gzipToolFileMember("a.txt", a, "-9"), gzipToolFileMember("b.bin", b, "-1"));

    assertThat(
            readAll(codec.decompressingStream(new Trickle(new ByteArrayInputStream(gzip), 5_000))))
        .isEqualTo(concat(a, b));
  }

  @Test
  void decompress_readsConcatenatedCodecMembers_includingAnEmptyOne() {
    byte[] a = GzipCodecRoundTripTest.text(100_000, 30);
    byte[] b = GzipCodecRoundTripTest.text(3_000, 31);

    byte[] gzip = concat(codec.compress(a), codec.compress(new byte[0]), codec.compress(b));

    assertThat(codec.decompress(gzip)).isEqualTo(concat(a, b));
  }

  @Test
  void decompressingStream_readsConcatenatedCodecMembers_includingAnEmptyOne() throws IOException {
    byte[] a = GzipCodecRoundTripTest.text(100_000, 32);
    byte[] b = GzipCodecRoundTripTest.text(3_000, 33);

    byte[] gzip = concat(codec.compress(a), codec.compress(new byte[0]), codec.compress(b));

    assertThat(readAll(codec.decompressingStream(new Trickle(new ByteArrayInputStream(gzip), 999))))
        .isEqualTo(concat(a, b));
  }

  @Test
  void gzipDc_readsConcatenatedCodecMembers() throws Exception {
    byte[] a = GzipCodecRoundTripTest.text(100_000, 34);
    byte[] b = GzipCodecRoundTripTest.random(3_000, 35);
    Path gzip = write(concat(codec.compress(a), codec.compress(new byte[0]), codec.compress(b)));

    assertThat(gzipOk(null, "-dc", gzip)).isEqualTo(concat(a, b));
    ToolRun test = gzip(null, "-t", gzip);
    assertThat(test.exitCode).as("gzip -t exit code; stderr: %s", test.stderr).isZero();
  }

  // ---- hand-crafted headers: every RFC 1952 flag ----

  static Stream<Arguments> craftedHeaders() {
    return Stream.of(
        arguments("FTEXT", FTEXT, 0),
        arguments("FHCRC", FHCRC, 0),
        arguments("FEXTRA", FEXTRA, 12),
        arguments("FNAME", FNAME, 12),
        arguments("FCOMMENT", FCOMMENT, 12),
        arguments("FEXTRA and FHCRC", FEXTRA | FHCRC, 40),
        arguments("every flag", EVERY_FLAG, 12),
        arguments("every flag, empty name and comment", EVERY_FLAG, 4),
        arguments("every flag, each field longer than a read buffer", EVERY_FLAG, 20_000));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("craftedHeaders")
  void gzipTool_acceptsCraftedHeader_provingTheCraftingRight(String label, int flags, int fieldSize)
      throws Exception {
    byte[] text = GzipCodecRoundTripTest.text(30_000, flags);
    Path gzip = write(member(header(flags, fieldSize), text));

    ToolRun test = gzip(null, "-t", gzip);

    assertThat(test.exitCode).as("gzip -t exit code; stderr: %s", test.stderr).isZero();
    assertThat(test.stderr).isEmpty();
    assertThat(gzipOk(null, "-dc", gzip)).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("craftedHeaders")
  void decompress_readsCraftedHeader(String label, int flags, int fieldSize) {
    byte[] text = GzipCodecRoundTripTest.text(30_000, flags);

    assertThat(codec.decompress(member(header(flags, fieldSize), text))).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("craftedHeaders")
  void decompressingStream_readsCraftedHeader_deliveredOneByteAtATime(
      String label, int flags, int fieldSize) throws IOException {
    byte[] text = GzipCodecRoundTripTest.text(30_000, flags);
    byte[] gzip = member(header(flags, fieldSize), text);

    assertThat(readAll(codec.decompressingStream(new Trickle(new ByteArrayInputStream(gzip), 1))))
        .isEqualTo(text);
  }

  @Test
  void codec_readsCraftedMembersConcatenated_eachWithEveryFlag() throws IOException {
    byte[] a = GzipCodecRoundTripTest.text(10_000, 36);
    byte[] b = GzipCodecRoundTripTest.text(20_000, 37);

    byte[] gzip = concat(member(header(EVERY_FLAG, 12), a), member(header(EVERY_FLAG, 300), b));

    assertThat(codec.decompress(gzip)).isEqualTo(concat(a, b));
    assertThat(readAll(codec.decompressingStream(new ByteArrayInputStream(gzip))))
        .isEqualTo(concat(a, b));
  }

  @Test
  void decompress_rejectsWrongHeaderCrc_namingIt() throws IOException {
    byte[] gzip = wrongHeaderCrcMember();

    Throwable fromArray = catchThrowable(() -> codec.decompress(gzip));
    Throwable fromStream =
        catchThrowable(() -> readAll(codec.decompressingStream(new ByteArrayInputStream(gzip))));

    assertThat(fromArray)
        .isInstanceOf(MalformedGzipException.class)
        .hasMessageContaining("header CRC");
    assertThat(fromStream)
        .isInstanceOf(MalformedGzipIOException.class)
        .hasMessageContaining("header CRC");
  }

  @Test
  void gzipTool_rejectsTheSameWrongHeaderCrc() throws Exception {
    ToolRun test = gzip(null, "-t", write(wrongHeaderCrcMember()));

    assertThat(test.exitCode).as("gzip -t exit code; stderr: %s", test.stderr).isNotZero();
  }

  // ---- java.util.zip ----

  @Test
  void gzipInputStream_readsCodecStreamOutput() throws IOException {
    byte[] text = GzipCodecRoundTripTest.text(MIB, 38);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = codec.compressingStream(sink)) {
      for (int i = 0; i < text.length; i += 10_000) {
        out.write(text, i, Math.min(10_000, text.length - i));
      }
    }

    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray()))) {
      assertThat(in.readAllBytes()).isEqualTo(text);
    }
  }

  @Test
  void gzipInputStream_readsConcatenatedCodecMembers() throws IOException {
    byte[] a = GzipCodecRoundTripTest.text(50_000, 39);
    byte[] b = GzipCodecRoundTripTest.text(60_000, 40);

    try (InputStream in =
        new GZIPInputStream(
            new ByteArrayInputStream(concat(codec.compress(a), codec.compress(b))))) {
      assertThat(in.readAllBytes()).isEqualTo(concat(a, b));
    }
  }

  @Test
  void decompressingStream_readsGzipOutputStreamOutput() throws IOException {
    byte[] text = GzipCodecRoundTripTest.text(MIB, 41);
    ByteArrayOutputStream gzip = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gzip, 4096, true)) {
      for (int i = 0; i < text.length; i += 100_000) {
        out.write(text, i, Math.min(100_000, text.length - i));
        out.flush(); // sync flush: the data arrives as many blocks, not one
      }
    }

    assertThat(readAll(codec.decompressingStream(new ByteArrayInputStream(gzip.toByteArray()))))
        .isEqualTo(text);
  }

  // ---- helpers ----

  private byte[] gzipFileWithName(String name, byte[] content) throws Exception {
    Files.write(dir.resolve(name), content);
    gzipOk(null, "-k", "-f", name);
    byte[] gzip = Files.readAllBytes(dir.resolve(name + ".gz"));
    assertThat(gzip[3] & FNAME).as("gzip stored the file name (FLG.FNAME)").isEqualTo(FNAME);
    byte[] storedName = Arrays.copyOfRange(gzip, 10, 10 + name.length() + 1);
    assertThat(storedName).isEqualTo((name + '\0').getBytes(StandardCharsets.ISO_8859_1));
    return gzip;
  }

  /** One member compressed by the tool from a named file, so its header carries FNAME. */
  private byte[] gzipToolFileMember(String name, byte[] content, String level) throws Exception {
    Files.write(dir.resolve(name), content);
    byte[] gzip = gzipOk(null, "-c", level, name);
    assertThat(gzip[3] & FNAME).as("FLG.FNAME of %s", name).isEqualTo(FNAME);
    return gzip;
  }

  private static byte[] wrongHeaderCrcMember() {
    byte[] header = header(EVERY_FLAG, 12);
    header[header.length - 2] ^= (byte) 0x01; // the low byte of the stored CRC16
    return member(header, GzipCodecRoundTripTest.text(5_000, 42));
  }

  /**
   * A member header with {@code flags}, an MTIME, XFL 0 and OS 3 (Unix). {@code fieldSize} is the
   * XLEN of FEXTRA (one subfield whose payload contains zero bytes, so only XLEN can delimit it)
   * and the length of FNAME and FCOMMENT before their terminating zero.
   */
  private static byte[] header(int flags, int fieldSize) {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(0x1f);
    header.write(0x8b);
    header.write(8);
    header.write(flags);
    writeIntLe(header, 1_767_225_600L); // MTIME: 2026-01-01T00:00:00Z
    header.write(0); // XFL
    header.write(3); // OS: Unix
    if ((flags & FEXTRA) != 0) {
      writeShortLe(header, fieldSize);
      header.write('O');
      header.write('G');
      writeShortLe(header, fieldSize - 4);
      for (int i = 0; i < fieldSize - 4; i++) {
        header.write(i % 3 == 0 ? 0 : i);
      }
    }
    if ((flags & FNAME) != 0) {
      for (int i = 0; i < fieldSize; i++) {
        header.write('a' + i % 26);
      }
      header.write(0);
    }
    if ((flags & FCOMMENT) != 0) {
      for (int i = 0; i < fieldSize; i++) {
        header.write(i % 10 == 9 ? '\n' : 0xe9); // ISO-8859-1, as RFC 1952 says
      }
      header.write(0);
    }
    if ((flags & FHCRC) != 0) {
      CRC32 crc = new CRC32();
      crc.update(header.toByteArray());
      writeShortLe(header, (int) (crc.getValue() & 0xffff));
    }
    return header.toByteArray();
  }

  /** {@code header}, then raw deflate data from a nowrap {@link Deflater}, then CRC32 and ISIZE. */
  static byte[] member(byte[] header, byte[] data) {
    ByteArrayOutputStream member = new ByteArrayOutputStream();
    member.writeBytes(header);
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      deflater.setInput(data);
      deflater.finish();
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        member.write(buffer, 0, deflater.deflate(buffer));
      }
    } finally {
      deflater.end();
    }
    CRC32 crc = new CRC32();
    crc.update(data);
    writeIntLe(member, crc.getValue());
    writeIntLe(member, data.length);
    return member.toByteArray();
  }

  private static void writeShortLe(ByteArrayOutputStream out, int value) {
    out.write(value & 0xff);
    out.write(value >>> 8 & 0xff);
  }

  private static void writeIntLe(ByteArrayOutputStream out, long value) {
    for (int shift = 0; shift < 32; shift += 8) {
      out.write((int) (value >>> shift) & 0xff);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private Path write(byte[] content) throws IOException {
    Path file = dir.resolve("input-" + files++ + ".bin");
    Files.write(file, content);
    return file;
  }

  /**
   * Runs {@code gzip args... [file]} in the temp directory and asserts it succeeded; returns
   * stdout.
   */
  private byte[] gzipOk(@Nullable Path stdin, String option, Object... args) throws Exception {
    ToolRun run = gzip(stdin, option, args);
    assertThat(run.exitCode)
        .as("gzip %s %s exit code; stderr: %s", option, List.of(args), run.stderr)
        .isZero();
    return run.stdout;
  }

  /**
   * Runs the real {@code gzip} with its output in files (no pipe to deadlock on). The tool must be
   * on the PATH: CI installs it, and a test that cannot find it fails rather than skips.
   */
  private ToolRun gzip(@Nullable Path stdin, String option, Object... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("gzip");
    command.add(option);
    for (Object arg : args) {
      command.add(arg.toString());
    }
    Path out = dir.resolve("gzip-" + files + ".out");
    Path err = dir.resolve("gzip-" + files++ + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError(
          "the gzip tool must be on the PATH for these tests (CI installs it): " + e, e);
    }
    if (stdin == null) {
      process.getOutputStream().close();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 30 s");
    }
    return new ToolRun(
        process.exitValue(),
        Files.readAllBytes(out),
        Files.readString(err, StandardCharsets.ISO_8859_1));
  }

  /** What one run of the gzip tool did. */
  private static final class ToolRun {
    final int exitCode;
    final byte[] stdout;
    final String stderr;

    ToolRun(int exitCode, byte[] stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }
  }

  /**
   * Hands out at most {@code chunk} bytes per read, so headers and trailers straddle the stream's
   * buffer fills.
   */
  private static final class Trickle extends FilterInputStream {
    private final int chunk;

    Trickle(InputStream in, int chunk) {
      super(in);
      this.chunk = chunk;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, chunk));
    }
  }
}
