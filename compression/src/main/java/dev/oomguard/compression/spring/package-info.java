/**
 * Spring Data Redis integration: {@link dev.oomguard.compression.spring.GzipRedisSerializer}
 * compresses large values with a {@link dev.oomguard.compression.GzipCodec} and still reads the
 * uncompressed values written before it was switched on. Spring Data Redis is an optional
 * dependency of this module; only this package needs it.
 */
@NullMarked
package dev.oomguard.compression.spring;

import org.jspecify.annotations.NullMarked;
