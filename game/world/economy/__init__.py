"""The economy under the policies: demand by sector, firms and their cost curves, refining,
recycling, accounts and the projects that add capacity."""
