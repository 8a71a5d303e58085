/** Fixtures the modules' tests share; a test-scope dependency only, never on a user's classpath. */
@NullMarked
package dev.oomguard.testsupport;

import org.jspecify.annotations.NullMarked;
