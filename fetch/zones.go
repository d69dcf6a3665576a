package fetch

import (
	"context"
	"fmt"
	"log/slog"

	"territoires/geo"
)

// ZoneSource is implemented by the sources that give INSEE's study zonings
// and their member communes (fetch/metadonnees), read from the cache
// without any call.
type ZoneSource interface {
	Zones(ctx context.Context, e *Engine) ([]geo.ZoneInput, error)
}

// LoadZones reads the study zones from the cache of cfg, making no call:
// the builder's Options.Zones. With no zone source built in, or nothing
// cached, it returns none.
func LoadZones(ctx context.Context, cfg Config, ref *geo.Referential, log *slog.Logger) ([]geo.ZoneInput, error) {
	st, err := OpenStore(cfg, ref, log)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []geo.ZoneInput
	for _, s := range st.sources {
		zs, ok := s.(ZoneSource)
		if !ok {
			continue
		}
		zones, err := zs.Zones(ctx, st.e)
		if err != nil {
			return nil, fmt.Errorf("read the zones of %s: %w", s.Name(), err)
		}
		out = append(out, zones...)
	}
	return out, nil
}
