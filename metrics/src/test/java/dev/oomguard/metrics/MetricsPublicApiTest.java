package dev.oomguard.metrics;

import dev.oomguard.testsupport.PublicApiContract;

class MetricsPublicApiTest extends PublicApiContract {}
