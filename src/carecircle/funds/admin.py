"""Fund allocations are kept through the platform's pages and import (audited, scoped); they are
not edited in the admin site."""
