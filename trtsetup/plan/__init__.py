"""Plans: facts + recipes -> an ordered list of Steps (resolve.py), and the Step contract."""
