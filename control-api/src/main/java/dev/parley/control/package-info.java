/** REST control plane: accounts, meetings, join tokens, persistence and events. */
package dev.parley.control;
