package dev.oomguard.compression;

import dev.oomguard.testsupport.PublicApiContract;

class CompressionPublicApiTest extends PublicApiContract {}
