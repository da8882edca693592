/**
 * The HA pair: VRRPv3 instances, floating IPs through rtnetlink, gratuitous ARP and unsolicited neighbour
 * advertisements. Not yet implemented; this module is reserved so that the build layout is final.
 */
package dev.lbkit.ha;
