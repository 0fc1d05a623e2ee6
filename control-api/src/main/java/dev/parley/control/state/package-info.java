/** Shared, short-lived state: in memory by default, Redis when several nodes must agree. */
package dev.parley.control.state;
