/**
 * Userspace schedulers: {@link dev.lbkit.api.scheduling.Picker} picks the server for a new connection the way
 * the Linux kernel's IPVS scheduler of the same name does, for the proxy dataplane and for client-side
 * balancing; {@link dev.lbkit.api.scheduling.SourceIpPersistenceTable} keeps source-IP persistence.
 *
 * <p>Nullness: no parameter or return value in this package is null unless its Javadoc says so; a null argument
 * throws {@link java.lang.NullPointerException} naming it. Absence is {@link java.util.Optional#empty()}.
 *
 * <p>Time: {@link dev.lbkit.api.scheduling.SourceIpPersistenceTable} never reads a clock, its callers pass
 * {@link java.lang.System#nanoTime()} values; only the LBLC and LBLCR pickers read {@code System.nanoTime()}, to
 * age their destination tables.
 */
package dev.lbkit.api.scheduling;
