from gkxl.cli import main

main()
