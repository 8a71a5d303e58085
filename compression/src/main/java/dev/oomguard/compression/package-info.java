/**
 * GZIP whose native memory is bounded by its configuration whatever callers do (incident 1): every
 * {@code Deflater} and {@code Inflater} is returned to a bounded pool or ended on every path,
 * compressing streams hold none between calls, decompressing streams are capped, and decompression
 * is limited so that a zip bomb or a lying ISIZE fails fast instead of filling the heap. {@link
 * dev.oomguard.compression.GzipCodec} states the bound.
 */
@NullMarked
package dev.oomguard.compression;

import org.jspecify.annotations.NullMarked;
