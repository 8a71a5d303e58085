package dev.oomguard.executors;

import dev.oomguard.testsupport.PublicApiContract;

class ExecutorsPublicApiTest extends PublicApiContract {}
