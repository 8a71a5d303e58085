package dev.oomguard.review;

import dev.oomguard.testsupport.PublicApiContract;

class ReviewPublicApiTest extends PublicApiContract {}
