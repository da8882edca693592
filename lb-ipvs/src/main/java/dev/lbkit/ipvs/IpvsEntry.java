package dev.lbkit.ipvs;

import java.util.List;

/**
 * One virtual service read from the kernel with its destinations.
 *
 * @param service      the service with its counters
 * @param destinations its destinations in the kernel's order
 */
public record IpvsEntry(IpvsService service, List<IpvsDestination> destinations) {
    public IpvsEntry {
        destinations = List.copyOf(destinations);
    }
}
