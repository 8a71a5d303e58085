@NullMarked
package dev.oomguard.review;

import org.jspecify.annotations.NullMarked;
