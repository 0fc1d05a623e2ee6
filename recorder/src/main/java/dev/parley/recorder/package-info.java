/** Records meetings through sfu-core's track taps (not built yet). */
package dev.parley.recorder;
