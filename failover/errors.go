package failover

import (
	"errors"

	"github.com/zrep-go/zrep/zfsprops"
)

func asNotExist(err error, target **zfsprops.NotExistError) bool { return errors.As(err, target) }
