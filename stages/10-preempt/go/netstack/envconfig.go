package netstack

import (
	"fmt"
	"strconv"
	"strings"
)

// The guest's network configuration as the kernel hands it to Go: environment variables
// filled from xenstore's vif entry, and the command line's words in os.Args.
const (
	EnvMAC = "VIF0_MAC" // "00:16:3e:63:00:02": the vif's mac= (xl makes one up if absent)
	EnvIP  = "VIF0_IP"  // "10.99.0.2": the vif's ip= key; may be absent
	EnvMTU = "VIF0_MTU" // "1500"
	ArgIP  = "ip="      // a command-line word "ip=10.99.0.5" overrides VIF0_IP
)

// ConfigFromEnv builds a Config from the kernel's environment variables (read with getenv,
// os.Getenv in the guest) and an "ip=A.B.C.D" word among args (os.Args; the last such word
// wins).  A missing VIF0_MAC is an error; a missing address leaves Config.IP zero for the
// caller to report; a missing VIF0_MTU means 1500.
func ConfigFromEnv(getenv func(string) string, args []string) (Config, error) {
	var cfg Config
	macText := getenv(EnvMAC)
	if macText == "" {
		return cfg, fmt.Errorf("%s is not set", EnvMAC)
	}
	mac, err := ParseMAC(macText)
	if err != nil {
		return cfg, fmt.Errorf("%s: %v", EnvMAC, err)
	}
	cfg.MAC = mac

	if ipText := getenv(EnvIP); ipText != "" {
		if cfg.IP, err = ParseIPv4(ipText); err != nil {
			return cfg, fmt.Errorf("%s: %v", EnvIP, err)
		}
	}
	for _, word := range args {
		if strings.HasPrefix(word, ArgIP) {
			if cfg.IP, err = ParseIPv4(strings.TrimPrefix(word, ArgIP)); err != nil {
				return cfg, fmt.Errorf("command line %s: %v", word, err)
			}
		}
	}

	cfg.MTU = DefaultMTU
	if mtuText := getenv(EnvMTU); mtuText != "" {
		cfg.MTU, err = strconv.Atoi(mtuText)
		if err != nil || cfg.MTU < minMTU || cfg.MTU > maxDatagram {
			return cfg, fmt.Errorf("%s=%q: want a number from %d to %d", EnvMTU, mtuText, minMTU, maxDatagram)
		}
	}
	return cfg, nil
}
