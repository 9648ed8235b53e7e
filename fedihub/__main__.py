from fedihub.cli import main

raise SystemExit(main())
