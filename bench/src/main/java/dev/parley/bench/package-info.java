/** Benchmarks of the media path; see docs/performance.md. */
package dev.parley.bench;
