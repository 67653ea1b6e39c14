from nexus360.cli import main

main(prog_name="python -m nexus360")
