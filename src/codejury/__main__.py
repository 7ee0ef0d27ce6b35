from codejury.cli.main import main

main()
