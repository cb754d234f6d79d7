package netstack

import (
	"strings"
	"testing"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantIP  [4]byte
		wantMTU int
		err     string // a part of the error, "" for none
	}{
		{"everything from the environment",
			map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_IP": "10.99.0.2", "VIF0_MTU": "1500"},
			[]string{"goapp", "net"}, [4]byte{10, 99, 0, 2}, 1500, ""},
		{"the command line overrides the address",
			map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_IP": "10.99.0.2"},
			[]string{"goapp", "net", "ip=10.99.0.5"}, [4]byte{10, 99, 0, 5}, 1500, ""},
		{"the last ip= wins",
			map[string]string{"VIF0_MAC": "00:16:3e:63:00:02"},
			[]string{"ip=10.0.0.1", "ip=10.0.0.2"}, [4]byte{10, 0, 0, 2}, 1500, ""},
		{"no address at all leaves it zero",
			map[string]string{"VIF0_MAC": "00:16:3e:63:00:02"}, nil, [4]byte{}, 1500, ""},
		{"another MTU", map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_MTU": "9000"},
			nil, [4]byte{}, 9000, ""},
		{"no MAC", map[string]string{"VIF0_IP": "10.99.0.2"}, nil, [4]byte{}, 0, "VIF0_MAC is not set"},
		{"bad MAC", map[string]string{"VIF0_MAC": "00:16:3e"}, nil, [4]byte{}, 0, "VIF0_MAC"},
		{"bad VIF0_IP", map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_IP": "10.99.0"},
			nil, [4]byte{}, 0, "VIF0_IP"},
		{"bad ip= word", map[string]string{"VIF0_MAC": "00:16:3e:63:00:02"},
			[]string{"ip=10.99.0.x"}, [4]byte{}, 0, "command line ip=10.99.0.x"},
		{"MTU not a number", map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_MTU": "big"},
			nil, [4]byte{}, 0, "VIF0_MTU"},
		{"MTU below RFC 791's 68", map[string]string{"VIF0_MAC": "00:16:3e:63:00:02", "VIF0_MTU": "67"},
			nil, [4]byte{}, 0, "from 68 to 65535"},
	}
	for _, tt := range tests {
		cfg, err := ConfigFromEnv(func(k string) string { return tt.env[k] }, tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if cfg.MAC != ourMAC || cfg.IP != tt.wantIP || cfg.MTU != tt.wantMTU {
			t.Errorf("%s: got MAC %v IP %v MTU %d, want %v %v %d", tt.name, cfg.MAC, cfg.IP, cfg.MTU, ourMAC, tt.wantIP, tt.wantMTU)
		}
	}
}

func TestConfigDefaultsAndMTUBounds(t *testing.T) {
	c := Config{}.withDefaults()
	if c.MTU != 1500 || c.ReassemblyTimeout != DefaultReassemblyTimeout || c.MaxReassemblyBytes != DefaultMaxReassemblyBytes ||
		c.MaxReassemblyDatagrams != DefaultMaxReassemblyDatagrams || c.ARPCacheTimeout != DefaultARPCacheTimeout ||
		c.ARPCacheSize != DefaultARPCacheSize || c.ARPRetries != 3 || c.ARPRetryInterval != DefaultARPRetryInterval {
		t.Errorf("defaults: %+v", c)
	}
	if got := (Config{MTU: 20}).withDefaults().MTU; got != 68 {
		t.Errorf("MTU 20 became %d, want RFC 791's minimum 68", got)
	}
	if got := (Config{MTU: 100000}).withDefaults().MTU; got != 65535 {
		t.Errorf("MTU 100000 became %d, want 65535", got)
	}
	// The default memory bound holds a maximum-size datagram in 1480-byte fragments.
	if DefaultMaxReassemblyBytes < 65515+45*fragmentOverhead {
		t.Errorf("DefaultMaxReassemblyBytes %d cannot hold one 64 KiB datagram", DefaultMaxReassemblyBytes)
	}
}

// The environment and the command line are outside input: whatever they hold, the result is
// an error or a configuration within bounds that says what the text said.
func FuzzConfigFromEnv(f *testing.F) {
	f.Add("00:16:3e:63:00:02", "10.99.0.2", "1500", "ip=10.99.0.5")
	f.Add("00:16:3e:63:00:02", "", "", "net")
	f.Add("", "10.99.0.2", "9000", "")
	f.Add("00:16:3e:63:00:02", "10.99.0", "x", "ip=")
	f.Fuzz(func(t *testing.T, mac, ip, mtu, arg string) {
		env := map[string]string{EnvMAC: mac, EnvIP: ip, EnvMTU: mtu}
		cfg, err := ConfigFromEnv(func(k string) string { return env[k] }, []string{"goapp", "net", arg})
		if err != nil {
			return
		}
		if cfg.MTU < 68 || cfg.MTU > 65535 || FormatMAC(cfg.MAC) != strings.ToLower(mac) {
			t.Fatalf("%q %q %q %q gave %+v", mac, ip, mtu, arg, cfg)
		}
		want := ip
		if strings.HasPrefix(arg, ArgIP) {
			want = strings.TrimPrefix(arg, ArgIP)
		}
		if (want == "" && cfg.IP != [4]byte{}) || (want != "" && FormatIPv4(cfg.IP) != want) {
			t.Fatalf("address %v from VIF0_IP=%q and %q", cfg.IP, ip, arg)
		}
	})
}
