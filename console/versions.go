package console

import (
	"strconv"
	"time"
)

// VersionID identifies a knowledge-base version. IDs start at 1 and grow
// in the order versions are created, also across instances.
type VersionID int64

// VersionStatus is where a version stands in the approval flow.
type VersionStatus string

// The version statuses.
const (
	StatusPending   VersionStatus = "pending"   // submitted, awaiting Approve or Reject
	StatusPublished VersionStatus = "published" // published directly, approved or restored
	StatusRejected  VersionStatus = "rejected"  // rejected; kept for the record
)

// Version describes a knowledge-base version: a snapshot of the whole
// draft workspace taken when it was created.
type Version struct {
	ID        VersionID
	Status    VersionStatus
	CreatedAt time.Time // UTC
	CreatedBy string
	Summary   string
	// ApprovedBy and ApprovedAt say who published the version and when:
	// its creator for Publish and Restore, the approver for Approve. They
	// are empty unless Status is StatusPublished.
	ApprovedBy string
	ApprovedAt time.Time
	// RejectedBy, RejectedAt and RejectReason are set by Reject.
	RejectedBy   string
	RejectedAt   time.Time
	RejectReason string
	// RestoredFrom is the version whose snapshot Restore copied, or 0.
	RestoredFrom VersionID
	// Live reports whether this is the live version (see LiveVersion).
	Live bool
}

// RestoreSummary is the summary of a version made by Restore from version
// id; staff see it, hence Chinese.
func RestoreSummary(id VersionID) string {
	return "恢复自版本 " + strconv.FormatInt(int64(id), 10)
}
