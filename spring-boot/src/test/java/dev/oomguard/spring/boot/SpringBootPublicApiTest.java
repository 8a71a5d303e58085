package dev.oomguard.spring.boot;

import dev.oomguard.testsupport.PublicApiContract;

class SpringBootPublicApiTest extends PublicApiContract {}
