/**
 * Send-side bandwidth estimation toward a subscriber, in the manner of Google congestion control
 * (draft-ietf-rmcat-gcc): a delay-based part (packet groups, trendline over the inter-group delay variation,
 * overuse detector with an adaptive threshold, AIMD rate control) and a loss-based part, fed from
 * transport-wide congestion control feedback. Everything here is loop-confined, allocation-free per packet, and
 * driven by the caller's clock so it can be tested on synthetic traces. See docs/bandwidth.md.
 */
package dev.parley.sfu.bwe;
