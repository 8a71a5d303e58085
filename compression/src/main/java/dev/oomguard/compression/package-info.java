/**
 * GZIP whose native memory is a fixed, known bound (incident 1): every {@code Deflater} and
 * {@code Inflater} is returned to a bounded pool or ended on every path, and decompression is
 * capped so that a zip bomb fails fast instead of filling the heap.
 */
@NullMarked
package dev.oomguard.compression;

import org.jspecify.annotations.NullMarked;
