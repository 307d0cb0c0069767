import sys

from claims.campaigns.cli import main

sys.exit(main())
